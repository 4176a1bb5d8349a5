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


# --- the second contest: open for registration ------------------------------------------------

# Districts of Beijing (GB/T 2260): the first six digits of a resident ID number.
BEIJING_DISTRICTS = ("110101", "110102", "110105", "110105", "110105", "110106", "110107", "110108",
                     "110109", "110111", "110112", "110113", "110114", "110115", "110116", "110117",
                     "110118", "110119")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                   "153", "158", "159", "177", "180", "185", "186", "189", "199")
MAIL_HANDLES = ("xiaoyu", "lhwang", "zhangm", "chenjie", "liuyang", "sunny", "haitao", "jingjing",
                "wenbo", "xinxin", "ruoxi", "dawei")
MAIL_DOMAINS = ("163.com", "126.com", "sina.com", "139.com")

# Given names' characters by the gender people usually read them as.
GIVEN_MALE = ("伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "辉", "鑫", "宇", "浩", "博",
              "建", "国", "志", "海", "俊", "振", "世", "德", "峰", "斌", "凯", "鹏", "亮", "晨")
GIVEN_FEMALE = ("芳", "娜", "敏", "静", "丽", "艳", "娟", "秀", "霞", "桂", "欣", "涵", "红", "玉", "春",
                "晓", "佳", "雪", "婷", "琳", "慧", "颖", "倩", "璐", "思", "雨", "洁", "萍", "梅", "怡")

# Names from the registration form that exercise rare characters, with their gender: 䶮 (CJK
# extension A), 𠈌 (extension B, outside the BMP), an ethnic minority name with the middle
# dot, 喆, and a compound surname.
SPRING_SPECIAL_NAMES = (("刘䶮", "male"), ("𠈌志远", "male"), ("阿依古丽·买买提", "female"),
                        ("陶喆", "male"), ("上官婉清", "female"))

# Judges already on the organisation's books, made judges of the spring contest but not yet
# seated on a panel: username, delegation.
SPRING_JUDGES = (
    ("judge02", JURY),
    ("judge05", "北京电力公司工会"),
    ("judge09", "首钢集团工会"),
    ("judge11", JURY),
)

# Who sends people to which event, and what trades they come from.
SPRING_DELEGATIONS = {
    "dl": ("京东方科技集团工会", "中国联通北京分公司工会", "朝阳区望京街道总工会", "朝阳区商务中心区总工会",
           "朝阳区酒仙桥街道总工会", "朝阳区建外街道总工会"),
    "robot": ("北京汽车集团工会", "首钢集团工会", "北京电力公司工会", "朝阳区将台地区总工会",
              "北京地铁运营公司工会"),
}
SPRING_TRADES = {
    "dl": ("数据标注员", "数据标注员", "人工智能训练师", "计算机程序设计员", "信息通信网络运行管理员"),
    "robot": ("工业机器人系统运维员", "工业机器人系统运维员", "电工", "机修钳工", "工业机器人系统操作员"),
}
# Skill levels (国家职业资格等级), drawn with these weights.
SPRING_LEVELS = (("level5", 2), ("level4", 5), ("level3", 6), ("level2", 2), ("", 1))

# Unions that sent their list as a spreadsheet (imported, approved at once): event, delegation,
# how many, the file's name.
SPRING_IMPORTS = (
    ("robot", "北京汽车集团工会", 6, "北汽集团工会-工业机器人系统运维员报名汇总表.xlsx"),
    ("dl", "京东方科技集团工会", 4, "京东方工会数据标注员参赛名单.xlsx"),
)

SPRING_REJECT_REASONS = (
    "经与所在单位工会核实，本人不是该单位在职职工，不符合参赛条件。",
    "近三年已获本赛项区级一等奖，按竞赛规程不再参加同一赛项。",
)
SPRING_WITHDRAW_REASON = "本人申请退出：比赛期间有出差安排。"

PRIVACY_NOTICE = """个人信息保护告知

北京市朝阳区总工会（竞赛组委会）按照《中华人民共和国个人信息保护法》处理您在报名时提供的个人信息：
1. 收集内容：姓名、性别、居民身份证号码、手机号码、电子邮箱、工作单位、工种及技能等级。
2. 使用目的：仅用于参赛资格审核、编排参赛号、赛事通知、成绩发布及按规定申报职业技能等级晋升，不作其他用途。
3. 公开范围：成绩公示和获奖名单仅公布姓名、工作单位、参赛项目和成绩；身份证号码和手机号码不予公开。
4. 保存期限：赛事结束后保存二年，期满删除或匿名化处理。
5. 您的权利：您可以查阅、更正报名信息或申请撤回报名，请联系组委会办公室：010-6509 8827。

勾选同意即表示您已阅读并同意上述内容。"""
