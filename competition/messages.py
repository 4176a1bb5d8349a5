"""The one message catalogue: what every refusal and problem code means to people, and the
labels of the stored vocabularies (statuses, ID types …). Services and rules raise codes with
parameters (errors.ActionRefused, scoring.Problem); pages, the API and the CLI look the words
up here, translated by gettext in the reader's language (docs/i18n.md)."""
import logging
import re
from typing import NamedTuple

from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)


def N_(msgid: str) -> str:
    """Marks a msgid for extraction; it is translated when a message is made (message())."""
    return msgid


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """A msgid with a plural; the message's `num` parameter chooses the form."""
    return singular, plural


class Msg(NamedTuple):
    """A message to say later, in the reader's language: a code and its parameters (a parameter
    of another message, say)."""

    code: str
    params: dict = {}


MESSAGES: dict[str, str | tuple[str, str]] = {
    # --- anywhere --------------------------------------------------------------------------
    "not_found": N_("This page does not exist."),
    "forbidden": N_("You are not allowed to do this."),
    "changed_meanwhile": N_("Another organiser changed these entries at the same moment. Nothing was changed; "
                            "please try again."),
    "and_more": N_("…"),

    # --- the API -----------------------------------------------------------------------------
    "invalid_token": N_("The API token is not valid."),
    "unauthorized": N_("Log in or send an API token."),
    "csrf_header": N_("Missing or invalid X-CSRFToken header."),
    "bad_json": N_("The body must be a JSON object."),
    "json_too_large": N_("The body is larger than %(max)d bytes."),
    "json_too_deep": N_("The body nests deeper than %(max)d levels."),
    "invalid_fields": N_("Missing or invalid fields: %(fields)s"),
    "invalid_client_id": N_("client_id must be a string of 1 to 64 characters."),
    "client_id_reused": N_("This client_id was already used for another mark."),
    "no_such_board": N_("No such contest or event."),
    "no_such_mark": N_("No such entry or criterion in this event."),
    "no_results_yet": N_("No results of this contest are announced yet."),
    "ledger_not_published": N_("The ledger of a contest is published with its results."),
    "no_such_certificate": N_("No certificate has this number."),
    "revoke_reason_required": N_("Say why the certificate is revoked: the verify page shows it."),
    "certificate_revoked": N_("This certificate is revoked already."),
    "no_certificates": N_("This contest has no certificate yet: certificates are issued when its results are "
                          "published (official)."),
    "print_failed": N_("The print failed. Try again; if it fails again, tell the administrator (the server's "
                       "log has the details)."),
    "print_interrupted": N_("The print stopped (the server was restarted?). Start it again."),
    "no_judge_cards": N_("No judge of this contest can log in by link, so there is no card to print."),

    # --- marks (scoring.parse_mark and the marking service) ------------------------------------
    "empty": N_("Enter a mark."),
    "choose_mark": N_("Choose a mark."),
    "not_a_number": N_("Enter a plain number such as 7.5 (no letters, no exponent)."),
    "negative": N_("A mark cannot be negative."),
    "over_max": N_("The mark must be at most %(max)s."),
    "too_many_decimals": N_("Use at most 2 decimals."),
    "not_a_step": N_("The mark must be a multiple of %(step)s."),
    "not_a_whole_mark": N_("Choose a whole mark from 0 to 3."),
    "not_a_judge": N_("You are not a judge in this contest."),
    "conflict_of_interest": N_("You cannot mark an entry of your own delegation."),
    "not_assigned": N_("You are not assigned to mark this criterion of this entry."),
    "not_judging": N_("Marking is closed: the contest is not in judging."),
    "locked": N_("The chief judge has locked (signed off) the marks of this entry. "
                 "Ask the chief judge to unlock it for a correction."),
    "reason_required": N_("A correction needs a reason: say why the mark changes."),
    "scheme_not_scorable": N_("The marking scheme of %(event)s cannot be scored as it stands: the organiser is "
                              "changing it. Marks are taken again once it is complete."),
    "marked_meanwhile": N_("This mark was entered on another device meanwhile (%(value)s). "
                           "To change it, give a reason."),

    # --- the chief judge -------------------------------------------------------------------------
    "not_chief": N_("Only the chief judge of this event can do this."),
    "sign_off_closed": N_("The contest is not in judging: marks can no longer be signed off or reopened."),
    "note_required": N_("Say what the judge should look at again."),
    "unlock_reason_required": N_("Unlocking needs a reason."),
    "not_locked": N_("This entry is not locked."),
    "nothing_locked": N_("Nothing in this event is locked."),
    "no_entries_to_sign_off": N_("This event has no entries to sign off."),
    "entry_without_draw_code": N_("an entry without a draw code"),
    "entry_without_bib": N_("an entry without a bib"),
    "entry_without_marks": N_("%(entry)s has no marks to sign off."),
    "entry_missing_marks": Nn_("%(entry)s still misses %(num)d mark.", "%(entry)s still misses %(num)d marks."),
    "entry_returned_marks": Nn_("%(entry)s has %(num)d mark sent back for re-marking.",
                                "%(entry)s has %(num)d marks sent back for re-marking."),
    "event_incomplete": Nn_("%(num)d entry is not complete. %(problems)s%(more)s",
                            "%(num)d entries are not complete. %(problems)s%(more)s"),

    # --- paper score sheets (paper): a failed tablet's marks entered twice -----------------------
    "paper_not_allowed": N_("Only the chief judge of this event or an organiser of the contest can enter a paper "
                            "score sheet."),
    "paper_own_sheet": N_("You cannot enter your own paper score sheet: another chief judge or an organiser must."),
    "paper_same_person": N_("You made the first entry of this sheet: the second entry must be made by someone "
                            "else."),
    "paper_sheet_pending": N_("A first entry of this judge's sheet for this entry is already waiting for its "
                              "second entry. Enter it again there, or discard it first."),
    "paper_sheet_gone": N_("This sheet was stored or discarded meanwhile."),
    "paper_not_a_judge": N_("This person is not a judge in this contest."),
    "paper_supervisor": N_("A supervisor never marks."),
    "paper_conflict_of_interest": N_("This judge cannot mark an entry of their own delegation."),
    "paper_not_assigned": N_("This judge is not assigned to mark this entry."),

    # --- boards -------------------------------------------------------------------------------
    "frozen": N_("The board is already frozen."),
    "not_frozen": N_("The board is not frozen."),

    # --- contests, events, schemes ----------------------------------------------------------------
    "slug_taken": N_("The address “%(code)s” is already taken by another contest."),
    "slug_fixed": N_("The address can only change while the contest is a draft: links to it are out."),
    "event_code_taken": N_("This contest already has an event with the code “%(code)s”."),
    "section_code_taken": N_("This event already has a section with the code “%(code)s”."),
    "criterion_code_taken": N_("This event already has a criterion with the code “%(code)s”."),
    "promotion_decided": N_("This event is signed off: its promotion list is decided with its results and can no "
                            "longer change."),
    "scheme_locked": N_("This event already has marks. Changing its marking scheme, decimal places, tie-break or "
                        "awards now would silently change results and ranks, so it is refused."),
    "event_in_use": N_("“%(name)s” has entries or marks and cannot be deleted."),
    "status_refused": N_("%(reasons)s"),
    "unknown_status": N_("There is no such status."),
    "not_adjacent": N_("A contest moves one step at a time: draft, registration, judging, finished, published."),
    "archived": N_("The contest is archived: unarchive it first."),
    "no_events": N_("Add at least one event first."),
    "marks_exist": N_("Judges have already given marks: the contest cannot go back to registration."),
    "no_criteria": N_("These events have no criterion in their marking scheme yet: %(events)s."),
    "invalid_scheme": N_("The marking scheme of these events cannot be scored yet: %(events)s."),
    "event_not_signed_off": Nn_("%(event)s is not signed off by its chief judge: %(num)d entry is not locked.",
                                "%(event)s is not signed off by its chief judge: %(num)d entries are not locked."),
    "results_announced": N_("The results are announced (公示): they change only through an upheld appeal."),
    "not_announced": N_("Announce the results (公示) first."),
    "window_open": N_("The objection and appeal window is open until %(until)s."),
    "objections_pending": Nn_("%(num)d objection is waiting for a ruling.", "%(num)d objections are waiting for a "
                              "ruling."),
    "appeals_pending": Nn_("%(num)d appeal is open or under review.", "%(num)d appeals are open or under review."),
    "withdraw_reason_required": N_("Withdrawing a publication needs a reason: it is recorded."),
    "announce_refused": N_("%(reasons)s"),
    "already_announced": N_("The results are already announced."),
    "announce_needs_finished": N_("Judging must be finished (every event signed off) before the results are "
                                  "announced."),
    "window_in_past": N_("Choose a moment in the future."),

    # --- checking a contest file or a scheme (contests.schemes, contest_files.schema) -------------
    "not_object": N_("Must be an object {…}."),
    "not_list": N_("Must be a list […]."),
    "not_string": N_("Must be a string."),
    "required": N_("Required."),
    "blank": N_("Must not be empty."),
    "unknown_key": N_("Unknown key."),
    "duplicate_key": N_("This key appears twice (JSON keeps only the last)."),
    "too_long": N_("At most %(max)s characters."),
    "slug_shape": N_("Use 2 to 64 lowercase letters, digits or hyphens, for example chaoyang-2026."),
    "code_shape": N_("Use 1 to 32 letters, digits, hyphens or underscores, for example AI or P1."),
    "username_shape": N_("Must not contain spaces."),
    "not_bool": N_("Must be true or false."),
    "not_a_choice": N_("Must be one of %(choices)s."),
    "not_integer": N_("Enter a whole number."),
    "too_small": N_("Must be at least %(min)s."),
    "too_big": N_("Must be at most %(max)s."),
    "not_decimal_text": N_("Write the number as text, such as \"7.5\"."),
    "not_decimal": N_("Enter a number such as 7.5."),
    "not_positive": N_("Must be greater than 0."),
    "negative_number": N_("Must not be negative."),
    "out_of_range": N_("Must be less than %(limit)s."),
    "too_many_places": N_("Use at most 3 decimals."),
    "not_date": N_("Must be a date such as 2026-05-01."),
    "ends_before_starts": N_("The last day cannot be before the first day."),
    "only_for_teams": N_("Only for team events."),
    "team_too_large": N_("A team of this event has at most %(max)s members."),
    "duplicate_of": N_("Repeats %(first)s."),
    "event_without_sections": N_("The scheme has no section yet."),
    "section_without_criteria": N_("This section has no criterion yet."),
    "single_judges": N_("A single-judge criterion takes exactly 1 judge."),
    "trim_judges": N_("At least %(judges)s judges are needed to drop the %(trim)s highest and the %(trim)s lowest "
                      "marks."),
    "tolerance_required": N_("The tolerance method needs a tolerance."),
    "judgement_step": N_("Judgement marks are whole numbers from 0 to 3: leave the step empty."),
    "judgement_kind": N_("The judgement method needs the kind “Judgement”."),
    "descriptors_judgement_only": N_("Descriptors are only for the judgement method."),
    "descriptors_four": N_("Say what each of 0, 1, 2 and 3 means, or leave all four empty."),
    "count_or_share": N_("Give either a count or a share (a percentage of the ranked entries)."),
    "weight_all_or_none": N_("Give this section a weight too: either every section of the event has a weight, "
                             "or none."),
    "tie_break_key": N_("A tie-break key is “section:<code>” or “-completion_time”."),
    "tie_break_section": N_("The tie-break names section %(code)s, which this event does not have."),
    "duplicate_tie_break": N_("Repeats %(first)s."),
    "duplicate_section_code": N_("The code “%(value)s” is used twice in this event (first at %(first)s)."),
    "duplicate_criterion_code": N_("The code “%(value)s” is used twice in this event (first at %(first)s)."),
    "duplicate_award_name": N_("The award “%(value)s” is listed twice."),
    "duplicate_event_code": N_("The event code “%(value)s” is used twice (first at %(first)s)."),
    "duplicate_username": N_("The username “%(value)s” is listed twice (first at %(first)s)."),
    "duplicate_bib": N_("The bib “%(value)s” is used twice (first at %(first)s)."),
    "duplicate_draw_code": N_("The draw code “%(value)s” is used twice (first at %(first)s)."),
    "scheme_refused": N_("The scoring rules refuse this marking scheme (%(error)s)."),
    "contest_exists": N_("A contest with the address “%(slug)s” already exists."),
    "unknown_event": N_("Unknown event “%(value)s”."),
    "no_such_event": N_("There is no event “%(code)s” in events."),
    "no_such_entry": N_("There is no entry “%(bib)s” in event “%(event)s”."),
    "entry_in_other_event": N_("There is no entry “%(bib)s” in event “%(event)s”: it is in event “%(other)s”."),
    "no_such_criterion": N_("There is no criterion “%(criterion)s” in event “%(event)s”."),
    "no_such_judge": N_("There is no judge “%(judge)s” in judges."),
    "judge_not_on_panel": N_("Judge “%(judge)s” is not on the panel of event “%(event)s”."),
    "file_conflict_of_interest": N_("Conflict of interest: judge “%(judge)s” and entry “%(bib)s” are both from "
                                    "“%(delegation)s”."),
    "duplicate_mark": N_("Repeats %(first)s: one mark per judge, entry and criterion."),
    "criterion_full": Nn_("Criterion “%(criterion)s” of entry “%(bib)s” takes %(num)d judge, and %(marked)s "
                          "already marked it.",
                          "Criterion “%(criterion)s” of entry “%(bib)s” takes %(num)d judges, and %(marked)s "
                          "already marked it."),
    "file_unreadable": N_("file: cannot be read (%(error)s)"),
    "file_not_utf8": N_("line %(line)s, column %(column)s: not UTF-8 text"),
    "file_bad_json": N_("line %(line)s, column %(column)s: not valid JSON (%(error)s)"),
    "file_not_json": N_("file: not valid JSON (%(error)s)"),
    "file_list_not_object": N_("line %(line)s, column %(column)s: must be a JSON object {…}, not a list"),
    "file_value_not_object": N_("line %(line)s, column %(column)s: must be a JSON object {…}, not a single value"),

    # --- registration and entries -------------------------------------------------------------------
    "registration_closed": N_("Registration for this contest is closed."),
    "team_event": N_("Team events are entered by the organiser: %(events)s."),
    "deadline_passed": N_("The registration deadline has passed for: %(events)s."),
    "no_places_left": N_("No places are left in: %(events)s."),
    "already_registered": N_("This ID number is already entered in: %(events)s."),
    "already_registered_here": N_("This ID number is already entered in the chosen event."),
    "team_size_form": N_("A team here has %(min)d to %(max)d members: fill in one row per member."),
    "member_twice": N_("%(name)s is in the team twice: each member once."),
    "team_name_taken": N_("A team named “%(team)s” is already entered in this event: choose another name."),
    "member_in_a_team": N_("%(name)s is already entered in %(event)s: a person is in one team of an event."),
    "correction_reason_required": N_("Say why the data is corrected: it is recorded."),
    "person_exists": N_("Another person of this contest has this document number."),
    "team_member_delegation": N_("This person is a member of the team “%(team)s”, and a team comes from one "
                                 "delegation: their delegation cannot change on its own."),
    "no_event_chosen": N_("Choose at least one event."),
    # the ceremony (boards.services.reveal_step)
    "reveal_mode_unknown": N_("Choose how to reveal: one entry at a time, or by award."),
    "reveal_awards_undecided": N_("The awards of %(event)s are not decided yet: reveal by award once the event is "
                                  "signed off, or reveal one entry at a time."),
    # the hall (hall.services): screens, announcements, sessions
    "screen_name_required": N_("Name the screen, as the hall knows it (大屏一, say)."),
    "screen_name_too_long": N_("A screen's name has at most %(max)d characters."),
    "screen_name_taken": N_("A screen named “%(name)s” is already set up."),
    "screen_mode_unknown": N_("Choose what the screen shows."),
    "screen_scale_range": N_("The font scale is between %(min)d and %(max)d percent."),
    "screen_rows_range": N_("Rows per page are between %(min)d and %(max)d, or empty for as many as fit."),
    "screen_event_required": N_("Choose the event this screen shows."),
    "winners_undecided": N_("The awards of %(event)s are not decided yet: a winners card is shown once the event "
                            "is signed off."),
    "winners_frozen": N_("The board of %(event)s is frozen: reveal it first, or the winners card tells the "
                         "ceremony's end."),
    "rehearsal_slug_taken": N_("The address %(slug)s is taken by another contest: a rehearsal cannot be made."),
    "rehearsal_impossible": N_("This contest cannot be copied for a rehearsal yet: %(problems)s."),
    "announcement_empty": N_("Write the announcement."),
    "announcement_too_long": N_("An announcement has at most %(max)d characters: screens are read from afar."),
    "session_name_required": N_("Name the session (第一场, say)."),
    "session_ends_before_start": N_("A session ends after it starts."),
    "session_overlaps": N_("This overlaps the session “%(session)s” of the same event."),
    "session_closed": N_("The last session of this event has ended: its measurement criteria are closed for "
                         "marking."),
    # correcting an entry (entries.services.correct_entry)
    "marked_entry_change": N_("Marking has begun for this entry in %(event)s: its event and delegation can no "
                              "longer change, because the judges' conflicts of interest and the board depend on them."),
    "move_team_kind": N_("%(event)s is not the same kind of event: a team moves to a team event, a person to an "
                         "individual one."),
    "move_already_entered": N_("%(name)s is already entered in %(event)s."),
    "move_team_size": N_("A team of %(event)s has %(min)d to %(max)d members: this team does not fit."),
    "team_name_required": N_("Enter the team's name."),
    "rejection_reason_required": N_("A rejection needs a reason: the registrant will read it."),
    "none_selected": N_("Select at least one entry."),
    "wrong_status": N_("%(name)s cannot take this action in its current status."),
    "has_marks": N_("%(name)s already has marks: it cannot be rejected or withdrawn."),
    "times_decided": N_("%(event)s is signed off: its completion times are decided with its results."),
    "duration_shape": N_("Enter a time as seconds (754) or as minutes:seconds (12:34) or hours:minutes:seconds."),
    "duration_clock": N_("Minutes and seconds go up to 59."),
    "duration_too_long": N_("A completion time is at most 24 hours."),
    "field_decided": N_("%(event)s is signed off: its entries are decided with its results. The chief judge "
                        "unlocks an entry first, while judging is open."),
    "over_capacity": N_("%(event)s is full: all %(capacity)s places are taken. Withdraw or reject another entry "
                        "first, or raise the event's capacity."),
    # who a registrant is (entries.identity)
    "missing_value": N_("This field is required."),
    "id_shape": N_("A resident ID number has 18 characters: 17 digits and a final digit or X."),
    "id_region": N_("The first digits of this ID number are not a region code."),
    "id_birth_date": N_("The birth date in this ID number is not a valid date in the past."),
    "id_check_digit": N_("The check digit does not match: please check the ID number for a typing error."),
    "id_type": N_("Choose a known ID type."),
    "hkmo_permit_shape": N_("A Hong Kong and Macao permit number is H or M followed by 8 or 10 digits."),
    "tw_permit_shape": N_("A Taiwan permit number has 8 or 10 digits."),
    "passport_shape": N_("A passport number has 5 to 17 letters and digits."),
    "bad_mobile": N_("Enter an 11-digit mainland mobile number starting with 13 to 19."),
    "bad_email": N_("Enter an e-mail address such as name@example.cn."),
    "bad_gender": N_("Gender must be male (男) or female (女)."),
    "gender_mismatch": N_("The gender does not match the ID number."),
    "bad_skill_level": N_("Unknown skill level."),
    # an imported entrant list (entries.importing); %(value)s is the cell, the other row or the name on file
    "missing_column": N_("No column holds this required field: choose it for one of the columns."),
    "no_rows": N_("The file has a header row but no entrants."),
    "missing_name": N_("The name is missing."),
    "name_too_long": N_("The name is too long."),
    "missing_id_number": N_("The ID number is missing."),
    "missing_mobile": N_("The mobile number is missing."),
    "missing_delegation": N_("The employer or district union is missing."),
    "delegation_too_long": N_("The employer or district union is too long."),
    "trade_too_long": N_("The trade is too long."),
    "missing_event": N_("The event is missing (or choose an event for the whole file)."),
    "missing_team": N_("%(value)s is a team event: give the row its team's name (队名)."),
    "team_too_long": N_("The team name is too long."),
    "team_exists": N_("A team named “%(value)s” is already entered in this event."),
    "team_delegation_differs": N_("A team's members come from one delegation: this row's differs from row "
                                  "%(value)s."),
    "team_too_big": N_("The team already has %(value)s members, as many as the event allows."),
    "duplicate_in_file": N_("The same ID number is already in row %(value)s for this event."),
    "already_entered": N_("This person is already entered in %(value)s."),
    "event_full": N_("%(value)s has no place left for this row: the rows before it fill the event's capacity."),
    "name_differs_in_file": N_("The same ID number has another name in row %(value)s."),
    "name_differs_on_file": N_("This ID number is registered under the name “%(value)s”."),
    # an ID number Excel turned into a number (entries.identity.excel_damage)
    "id_number_excel_scientific": N_("Excel turned this ID number into a number and shows it in scientific "
                                     "notation, which loses its last digits. Format the ID number column as text "
                                     "(Format Cells → Text), then type the numbers again or paste them as text."),
    "id_number_excel_digits_lost": N_("Excel stored this ID number as a number, which keeps only 15 digits: its "
                                      "last digits became 0. Format the ID number column as text (Format Cells → "
                                      "Text), then type the numbers again or paste them as text."),
    "id_number_mangled_by_excel": N_("This ID number is stored as a number, not as text, and Excel changed it. "
                                     "Format the ID number column as text (Format Cells → Text), then type the "
                                     "numbers again or paste them as text."),
    # a re-imported list (entries.importing): %(value)s are the events whose marking has begun
    "marked_delegation_change": N_("Marking has begun for this person in %(value)s: their employer or district "
                                   "union can no longer change."),
    "marked_event_change": N_("Marking has begun for this person in %(value)s: their event can no longer change. "
                              "To enter them in another event as well, keep their row for %(value)s in the list."),
    "not_a_table": N_("This is not a readable XLSX or CSV file."),
    "bad_encoding": N_("The CSV file is neither UTF-8 nor GBK/GB18030 text."),
    "empty_file": N_("The file is empty."),
    "too_many_rows": N_("The file has more than %(max)d rows."),
    "too_many_columns": N_("Row %(row)d has more than %(max)d columns: is this the right sheet?"),
    "cell_too_long": N_("Row %(row)d, column %(column)d holds more than %(max)d characters."),
    "unpacks_too_large": N_("The file unpacks to more than %(max)d MB: save only the list in a new workbook."),

    # --- bibs and draw codes (numbering.rules) ------------------------------------------------------
    "pattern_empty": N_("The bib pattern is empty."),
    "pattern_unknown_field": N_("The bib pattern may only use {event} and {n}."),
    "pattern_no_number": N_("The bib pattern must contain the running number {n}, e.g. {event}{n:03}."),
    "pattern_bad_format": N_("The bib pattern is not valid: check its braces and the format after {n:…}."),
    "pattern_bad_character": N_("Bibs may not contain spaces or slashes."),
    "pattern_too_long": N_("The bib pattern gives bibs longer than 32 characters."),
    "bibs_fixed": N_("Marking has started in %(event)s: its bibs can no longer be renumbered."),
    "bib_clashes": N_("Some new bibs are already held by other entries of the contest; nothing was changed. "
                      "Use {event} in the bib pattern, or give those entries other bibs."),
    "draw_codes_fixed": N_("Marking has started in %(event)s: its draw codes can no longer be redrawn."),
    "too_few_codes": N_("There are too few codes of %(length)d characters for %(count)d entries: choose longer "
                        "codes."),

    # --- objections, appeals and rulings (appeals) ---------------------------------------------------
    "objections_closed": N_("Objections are not taken now: the objection window is closed."),
    "appeals_closed": N_("Appeals are not taken now: the appeal deadline has passed, or the results of this event "
                         "are not announced."),
    "appeal_reasons_required": N_("Say why the marks should be reviewed."),
    "appeal_criteria_required": N_("Choose the criteria whose marks should be reviewed."),
    "evidence_too_many": N_("Attach at most %(num)s files."),
    "evidence_too_large": N_("“%(name)s” is larger than %(size)s MB."),
    "evidence_type": N_("“%(name)s” is not an image (PNG, JPEG) or a PDF."),
    "identity_unknown": N_("No registration matches this reference and these characters."),
    "not_supervisor": N_("Only the contest's supervisors (监督仲裁组) rule on objections and appeals."),
    "ruling_unknown": N_("Choose upheld or dismissed."),
    "ruling_reasons_required": N_("A ruling needs its reasons: the filer reads them."),
    "ruled_meanwhile": N_("Another supervisor ruled on this at the same moment; their ruling stands. Reload the "
                          "page to read it."),
    "review_marks_required": N_("An upheld appeal names the marks to review: choose at least one."),
    "review_mark_unknown": N_("Only marks of the criteria the appeal names can be reviewed."),
    "supervisor_never_marks": N_("Supervisors see marks and never change them."),
    "not_reopened": N_("Judging has ended: only the marks an upheld appeal reopened can change."),
    "unlock_after_judging": N_("Judging has ended: move the contest back to judging to reopen marks."),

    # --- one's own account: the password rule, changing it, the login limits -----------------------
    "password_too_short": N_("A password needs at least 8 characters."),
    "password_one_character": N_("This password repeats one character: choose one that is harder to guess."),
    "password_like_name": N_("The password must not be your username or your name."),
    "password_common": N_("This is one of the most common passwords: choose another."),
    "password_reused": N_("This is your current password: choose a new one."),
    "current_password_wrong": N_("The current password is not right."),
    "no_password": N_("This account has no password: it logs in with the login links the organiser gives."),
    "rate_limited": Nn_("Too many attempts. Try again in %(num)d second.",
                        "Too many attempts. Try again in %(num)d seconds."),
    "rate_limited_minutes": Nn_("Too many attempts. Try again in %(num)d minute.",
                                "Too many attempts. Try again in %(num)d minutes."),

    # --- running the platform (admin): organisations, organiser accounts, their links --------------
    "organisation_name_required": N_("Enter the organisation's name."),
    "organisation_exists": N_("There is already an organisation called %(name)s."),
    "organisation_deactivated": N_("%(name)s is deactivated: reactivate it first."),
    "person_name_required": N_("Enter the person's name."),
    "username_required": N_("Enter a username."),
    "username_invalid": N_("A username has 3 to 80 characters: small letters, digits and . _ - @ only."),
    "username_taken": N_("The username %(username)s is taken. Choose another."),
    "cannot_deactivate_yourself": N_("You cannot deactivate your own account."),
    "invite_unknown": N_("This link is not valid. Ask for a new one."),
    "invite_used": N_("This link has been used already. Log in with your password, or ask for a new link."),
    "invite_revoked": N_("This link was replaced by a newer one or withdrawn. Use the newest link you were sent."),
    "invite_expired": N_("This link has expired. Ask whoever sent it for a new one."),
    "public_url_invalid": N_("Enter an address such as http://192.168.1.20:5000 or https://contest.example.cn "
                             "(no spaces, no ?query)."),

    # --- delegations: names, team leaders, merging ---------------------------------------------------
    "delegation_name_required": N_("Enter the delegation's name."),
    "delegation_name_taken": N_("“%(name)s” is already a delegation of this contest (the same name, apart from "
                                "spaces or full-width characters). If they are one union, merge them instead."),
    "delegation_changed_meanwhile": N_("This delegation was changed or merged meanwhile; reload the page."),
    "merge_into_itself": N_("A delegation cannot be merged into itself: choose another one."),
    "merge_reason_required": N_("Results are announced: say why the delegations are merged (it is recorded)."),
    "rename_reason_required": N_("Results are announced: say why the delegation is renamed (it is recorded)."),
    "merge_marked_own_delegation": N_("%(judge)s (%(from)s) has marked entry %(entry)s (%(to)s): after the merge "
                                      "those marks would come from a judge of the entry's own delegation. Tell "
                                      "the chief judge; to merge anyway, say why (it is recorded)."),

    # --- judges, their links and tokens -------------------------------------------------------------
    "unknown_delegation": N_("Choose a delegation of this contest."),
    "judge_name_required": N_("A new account needs the judge's name."),
    "account_disabled": N_("The account %(username)s is disabled."),
    "already_judge": N_("%(username)s is already a judge of this contest."),
    "judge_added_meanwhile": N_("%(username)s was added meanwhile; reload the page."),
    "judge_has_marks": N_("%(name)s has already given marks and cannot be removed."),
    "stale_panel_form": N_("The form names a judge or a criterion that is not in this event any more; reload the "
                           "page."),
    "seat_marks_nothing": N_("%(name)s would mark nothing: only a chief judge may sit to supervise without "
                             "marking."),
    "link_for_staff": N_("%(name)s is an organiser or administrator: such accounts log in with their password "
                         "only."),
    "link_judges_elsewhere": N_("%(name)s also judges for another organisation: this account logs in with its "
                                "password only."),
    "link_unknown": N_("This login link is not valid. Check that the whole address was copied, or ask the "
                       "organiser for a new link."),
    "link_used": N_("This login link has already been used. Each link works once: ask the organiser for a new "
                    "one."),
    "link_revoked": N_("This login link was revoked by the organiser. Ask the organiser for a new one."),
    "link_expired": N_("This login link has expired. Ask the organiser for a new one."),
    # whose accounts an organiser seats, and the judges' list import (judges.importing)
    "not_of_organisation": N_("No account of your organisation has this username."),
    "no_judge_rows": N_("The file has a header row but no judges."),
    "bad_chief": N_("Chief judge (主裁) is 是 or 否 (yes or no, 1 or 0)."),
    "chief_without_event": N_("A chief judge needs the event (赛项) they are chief of."),
    "duplicate_username_in_file": N_("The same username is already in row %(value)s."),
    "judge_username_invalid": N_("A username has at most 80 letters, digits and . _ @ - without spaces."),
    "judges_changed_meanwhile": N_("Someone changed this contest's judges at the same moment; nothing was "
                                   "imported. Check the file again."),
}


# --- the labels of stored vocabularies ---------------------------------------------------------

CONTEST_STATUS_LABELS = {"draft": _l("Draft"), "registration": _l("Registration open"), "judging": _l("Judging"),
                         "finished": _l("Finished"), "published": _l("Results published")}
RESULT_STATUS_LABELS = {"provisional": _l("Provisional"), "final": _l("Final")}
#: An event's result status, as every surface says it in words (never by colour alone).
EVENT_RESULT_LABELS = {"live": _l("Live"), "signed_off": _l("Signed off"), "announced": _l("Announced"),
                       "protested": _l("Under review"), "official": _l("Official results")}
CASE_STATUS_LABELS = {"open": _l("Waiting for a ruling"), "dismissed": _l("Dismissed"), "upheld": _l("Upheld"),
                      "resolved": _l("Upheld, marks reviewed")}
JUDGE_ROLE_LABELS = {"judge": _l("Judge"), "supervisor": _l("Supervisor")}
ENTRY_STATUS_LABELS = {"pending": _l("Pending review"), "approved": _l("Approved"), "rejected": _l("Rejected"),
                       "withdrawn": _l("Withdrawn")}
ID_TYPE_LABELS = {
    "resident_id": _l("Resident ID card"),
    "hkmo_permit": _l("Mainland travel permit for Hong Kong and Macao residents"),
    "tw_permit": _l("Mainland travel permit for Taiwan residents"),
    "passport": _l("Passport"),
}
GENDER_LABELS = {"male": _l("Male"), "female": _l("Female")}
SKILL_LEVEL_LABELS = {
    "level5": _l("Level 5 (junior worker)"),
    "level4": _l("Level 4 (intermediate worker)"),
    "level3": _l("Level 3 (senior worker)"),
    "level2": _l("Level 2 (technician)"),
    "level1": _l("Level 1 (senior technician)"),
}
#: The fields of a registration, as an import preview names its columns.
FIELD_LABELS = {
    "name": _l("Name"), "gender": _l("Gender"), "id_type": _l("ID type"), "id_number": _l("ID number"),
    "mobile": _l("Mobile number"), "email": _l("E-mail"), "delegation": _l("Employer or district union"),
    "trade": _l("Trade"), "skill_level": _l("Skill level"), "event": _l("Event"), "team": _l("Team name"),
    "leader": _l("Team leader (领队)"), "contact": _l("Leader's phone or e-mail"),
}
#: The columns of a judges' list, as its import preview names them.
JUDGE_FIELD_LABELS = {"name": _l("Name"), "phone": _l("Mobile number"), "delegation": _l("Delegation"),
                      "events": _l("Events"), "chief": _l("Chief judge"), "username": _l("Username")}


def status_label(status: str) -> str:
    """A contest's or a result's status in words."""
    label = CONTEST_STATUS_LABELS.get(status) or RESULT_STATUS_LABELS.get(status)
    return str(label) if label is not None else status


def result_status_text(status: str, until: str = "") -> str:
    """An event's result status in words: 实时 / 已签字确认 / 公示中，截至 … / 复核中 / 正式成绩."""
    if status == "announced" and until:
        return gettext("Announced, objections until %(until)s", until=until)
    label = EVENT_RESULT_LABELS.get(status)
    return str(label) if label is not None else status


_PLACEHOLDER = re.compile(r"%\((\w+)\)")


def _join(values) -> str:
    locale = str(get_locale() or "zh_Hans")
    return ("、" if locale.startswith("zh") else ", ").join(str(render(v)) for v in values)


def render(value):
    """A message parameter as people read it: a nested message (anything with `code` and
    `params`) in words, a list joined, a path (a tuple) as the contest file writes it."""
    if hasattr(value, "code") and hasattr(value, "params"):
        return message(value.code, **value.params)
    if isinstance(value, tuple):
        from .scoring import format_path
        return format_path(value)
    if isinstance(value, (list, set, frozenset)):
        if value and all(hasattr(v, "code") for v in value):
            return " ".join(str(render(v)) for v in value)  # sentences
        return _join(value)
    return value


def message(code: str, /, **params) -> str:
    """The message for `code` in the reader's language, its %(name)s placeholders filled from
    `params`. An unknown code is logged and shown as it is (still exact, never a crash)."""
    entry = MESSAGES.get(code)
    if entry is None:
        log.error("no message for the code %r", code)
        return code
    wanted = set(_PLACEHOLDER.findall(" ".join(entry) if isinstance(entry, tuple) else entry))
    values = {name: render(value) for name, value in params.items() if name in wanted}
    if isinstance(entry, tuple):
        num = values.pop("num", params.get("num", 1))
        return ngettext(entry[0], entry[1], num, **values)
    return gettext(entry, **values) if values else gettext(entry)
