"""The fixed lists the demo contest is made of: who takes part, who judges, and the names the
deterministic generator in `competition.demo` draws from."""

ORGANISATION = "北京市朝阳区总工会"
JURY = "朝阳区总工会竞赛裁判委员会"  # judges from here have no conflict of interest

# Whom entries represent: enterprises' unions and district (street) unions.
DELEGATIONS = (
    "北京电力公司工会",
    "京东方科技集团工会",
    "首钢集团工会",
    "北京地铁运营公司工会",
    "中国联通北京分公司工会",
    "北京汽车集团工会",
    "北京燃气集团工会",
    "首都机场集团工会",
    "朝阳区望京街道总工会",
    "朝阳区酒仙桥街道总工会",
    "朝阳区建外街道总工会",
    "朝阳区将台地区总工会",
    "朝阳区商务中心区总工会",
)

# username, name, delegation, events, chief. File order is panel order.
JUDGES = (
    ("judge01", "王建国", JURY, ("ai",), True),
    ("judge02", "李秀英", JURY, ("ai", "iiot"), False),
    ("judge03", "张伟东", JURY, ("ai",), False),
    ("judge04", "刘海燕", JURY, ("ai", "sec"), False),
    ("judge05", "陈志强", "北京电力公司工会", ("ai", "sec"), False),
    ("judge06", "杨丽华", "京东方科技集团工会", ("ai",), False),
    ("judge07", "赵德明", JURY, ("iiot",), True),
    ("judge08", "黄静怡", JURY, ("iiot",), False),
    ("judge09", "周立军", "首钢集团工会", ("iiot",), False),
    ("judge10", "吴晓梅", "北京地铁运营公司工会", ("iiot",), False),
    ("judge11", "孙卫平", JURY, ("iiot", "sec"), False),
    ("judge12", "马振华", JURY, ("sec",), True),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
         "超", "秀", "霞", "平", "刚", "桂", "文", "辉", "鑫", "宇", "浩", "博", "晨", "思", "雨", "欣",
         "子", "涵", "建", "国", "志", "海", "红", "玉", "春", "晓", "佳", "俊", "嘉", "振", "世", "德")

# Names that exercise the fonts and the layout: a character outside the BMP (𠮷), a rare one
# (龘), a compound surname, and a name of only two characters.
SPECIAL_NAMES = ("𠮷海峰", "张龘轩", "欧阳文博", "王芳")

# Teams of three for the team event, by delegation.
TEAMS = (
    ("北京电力公司工会", "电力网安先锋队"),
    ("中国联通北京分公司工会", "联通安全护航队"),
    ("京东方科技集团工会", "京东方守护者队"),
    ("北京地铁运营公司工会", "地铁信息安全队"),
    ("首钢集团工会", "首钢钢铁防线队"),
    ("朝阳区望京街道总工会", "望京数安卫士队"),
    ("朝阳区商务中心区总工会", "CBD网络安全队"),
    ("北京燃气集团工会", "燃气网络哨兵队"),
)

# WorldSkills-style judgement scale, shown on the judge's buttons.
DESCRIPTORS = ("0 低于行业标准", "1 达到行业标准", "2 达到并在某些方面超出行业标准",
               "3 优秀，超出行业期望")
