# kiwi – English texts. Every visible string is here and in de.ftl.

## Frame
skip-to-content = Skip to content
brand-tagline = AI literacy for public administration
switch-language = Deutsch
nav-label = Main navigation
nav-home = My learning
nav-team = My team
nav-hr = HR
nav-admin = Administration
nav-profile = My profile
signed-in-as = Signed in as { $name }
sign-out = Sign out
footer-text = kiwi – AI literacy under Article 4 of the AI Act, self-hosted.
save = Save

## Errors
error-summary-title = Please check your entries
error-title = { $status ->
    [409] Not possible
    [404] Page not found
    [403] Access denied
    [429] Too many requests
    [400] Bad request
   *[other] Something went wrong
}
error-404 = This page does not exist. The link may be out of date.
error-403 = You have no access to this page, or the form has expired. Reload the previous page and try again.
error-429 = Too many requests in a short time. Please wait a moment.
error-400 = The request was incomplete or malformed.
error-500 = Something went wrong. Please try again later. The error has been logged.
error-back-home = Back to the start page
error-required = Please fill in this field.
error-too-long = This text is too long.
error-control-characters = Please leave out line breaks, tabs and other control characters.
error-email = Please enter a valid email address, for example name@city.example.
error-password-length = The password must be at least 12 characters long.
error-password-repeat = The two passwords do not match.
error-current-password = The current password is not correct.

## Fields
field-email = Email address
field-password = Password
field-name = Name
field-personnel-number = Personnel number
field-org-unit = Org unit
field-roles = Roles
field-status = Status
field-language = Language
field-current-password = Current password
field-new-password = New password
field-new-password-repeat = Repeat new password
password-hint = At least 12 characters. A long sentence is easier to remember than a short, complicated password.
role-employee = Employee
role-manager = Department head
role-hr = HR
role-admin = Administrator
status-active = active
status-left = left

## Sign-in
sign-in-title = Sign in
sign-in-submit = Sign in
sign-in-failed = Email address or password is wrong.
sign-in-throttled = Too many failed sign-in attempts. Please wait 15 minutes, then try again.
sign-in-passwords-off = Signing in with a password is switched off.
sign-in-passwords-off-note = Signing in with a password is switched off.
sign-in-administrators-only = Only administrators sign in with a password here. Please sign in with your work account.
sign-in-administrators-summary = Sign in with a password (administrators only)
sign-in-oidc = Sign in with your work account
sign-in-or-password = Or with your email address and kiwi password:
sso-failed-title = Cannot sign in
sso-failed = Signing in with your work account failed. Please try again. If it keeps failing, contact IT.
sso-expired = This sign-in has expired or was used already. Please start signing in again.
sso-denied = The sign-in service cancelled or refused the sign-in.
sso-unavailable = The sign-in service cannot be reached right now. Please try again in a few minutes.
sso-unknown-person = Your account has not been created in kiwi yet. HR creates every member of staff in kiwi; once you are created, sign in with your work account.
sso-unknown-contact = Whom to ask
sso-back-to-sign-in = Back to signing in
sign-in-signed-out = You have signed out.

## Setup
setup-title = Set up kiwi
setup-intro = Create the first administrator account. This link works only once.
setup-submit = Create administrator account

## Second factor
second-factor-title = Confirm your sign-in
second-factor-intro = Your password is right. Now enter the six-digit code from your authenticator app.
second-factor-code = Code
second-factor-code-hint = Six digits from the app, or one of your recovery codes.
second-factor-submit = Confirm
second-factor-lost = No access to the app and no recovery codes left? The administrators can reset your second factor.
second-factor-wrong-code = This code is wrong or has been used already.
second-factor-throttled = Too many wrong codes. Please wait a few minutes and try again.
second-factor-expired = The sign-in has expired. Please sign in again.
second-factor-enrol-title = Set up a second factor
second-factor-enrol-intro = Besides your password, you will enter a code from an authenticator app on your phone. Your account stays protected even if someone knows your password.
second-factor-enrol-app = Open an authenticator app (for example your administration's, FreeOTP, Microsoft or Google Authenticator).
second-factor-enrol-scan = Add an account and scan this QR code.
second-factor-enrol-qr-caption = QR code for your authenticator app
second-factor-enrol-secret = Without a camera, type in this key (time-based, six digits, 30 seconds):
second-factor-enrol-confirm = To confirm, enter the code the app shows now.
second-factor-enrol-code = Code from the app
second-factor-enrol-submit = Set up
recovery-codes-title = Your recovery codes
recovery-codes-done = Your second factor is set up.
recovery-codes-intro = Use these codes to sign in when your phone is not at hand. Print them or keep them in a safe place. kiwi shows them this once only.
recovery-codes-once = Each code works once. If you set up the second factor again, these codes stop working.
recovery-codes-continue = Continue
second-factor-reset-title = Reset a second factor
second-factor-reset-intro = If someone lost their phone and their recovery codes, remove their second factor here. All their sign-ins end; at their next sign-in they set up a new one. The reset is recorded in the audit log.
second-factor-reset-person = Email address or personnel number
second-factor-reset-submit = Reset
second-factor-reset-done = The second factor of { $name } has been reset.
second-factor-reset-unknown = Nobody has this email address or personnel number.
second-factor-reset-none = This person has not set up a second factor.
profile-second-factor = Second factor
profile-second-factor-on = Set up on { $date }.
profile-second-factor-codes = { $count ->
    [0] You have no recovery codes left. Set up the second factor again to get new ones.
    [one] You have one recovery code left.
   *[other] You have { $count } recovery codes left.
}
profile-second-factor-replace = Set up again (new phone, new recovery codes)
profile-second-factor-required = Your role requires a second factor. Set it up now or at your next sign-in.
profile-second-factor-off = Protect your account further with a code from an authenticator app.
profile-second-factor-set-up = Set up a second factor

## Start page
home-title = My learning
home-greeting = Welcome, { $name }!
home-courses-heading = My courses
home-no-courses = Your courses on AI, data protection and the administration's usage rules will appear here soon.
home-org-unit = Your org unit: { $unit }

## Profile
profile-title = My profile
profile-about = About me
profile-language = Language
profile-change-password = Change password
profile-change-password-submit = Change password
profile-password-changed = Your password has been changed. All other sign-ins have ended.

## Team
team-title = My team

## Administration
admin-title = Administration
admin-people = { $count ->
    [one] One person
   *[other] { $count } people
}
admin-search = Search by name, email or personnel number
admin-search-submit = Search
admin-units = Org units
admin-unit-members = Active people
admin-access-confirmed = Access check: entitlements confirmed { $seconds } s ago (bound { $bound } s).
admin-access-unconfirmed = Access check closed: this instance could not confirm entitlements for longer than { $bound } s. AI tools get status 503 until the database answers again.
admin-access-last-confirmed = Last confirmed { $seconds } s ago.
pagination-label = Pages
pagination-previous = Previous page
pagination-next = Next page
pagination-position = Page { $page } of { $pages }

## HR
hr-title = HR
hr-summary = kiwi holds { $people } people in { $units } org units.
import-heading = Import staff
import-help = Upload a CSV file from the HR master data (UTF-8, separated by commas or semicolons). The org_unit column holds the unit's path with " / " between levels, the roles column the roles manager, hr or admin, separated by ";". If any row has an error, nothing is imported.
import-file = CSV file
import-mark-missing = Mark people who are not in the file as left
import-submit = Import
import-done = Import complete
import-created = Created: { $count }
import-updated = Updated: { $count }
import-unchanged = Unchanged: { $count }
import-marked-left = Marked as left: { $count }
import-failed = Nothing was imported
import-row-errors = { $count ->
    [one] One row has an error. Please correct it and upload the file again.
   *[other] { $count } problems found. Please correct the rows and upload the file again.
}
import-row = Row { $row }
import-empty = The file is empty.
import-missing-columns = The header lacks the columns: { $columns }
import-unknown-columns = The header has unknown columns: { $columns }
import-no-admin-left = This import would leave no active administrator.
import-row-unreadable = The row cannot be read (check quotes and encoding).
import-row-empty-personnel-number = The personnel number is missing.
import-row-empty-name = The name is missing.
import-row-name-too-long = The name is longer than { $max } characters.
import-row-name-control-characters = The name holds a line break, a tab or another control character (in Excel, Alt+Enter makes a line break).
import-row-bad-personnel-number = The personnel number holds control characters or is longer than 64 characters.
import-row-may-not-grant-admin = Only an administrator may grant the role "admin".
import-row-may-not-change-admin = This person is an administrator: only an administrator may change them.
import-row-bad-email = "{ $value }" is not a valid email address.
import-row-bad-org-unit = "{ $value }" is not a valid org unit path.
import-row-unknown-role = Unknown role "{ $value }" (allowed: employee, manager, hr, admin).
import-row-duplicate-personnel-number = The personnel number already appears in row { $first_row }.
import-row-duplicate-email = The email address already appears in row { $first_row }.
import-row-email-taken = The email address already belongs to the person with personnel number { $personnel_number }.

## Courses
nav-courses = Courses
catalog-title = Courses
catalog-intro = All courses on AI in public administration. Learn at your own pace and stop whenever you like: kiwi remembers where you are.
breadcrumbs-label = You are here
status-completed = completed
status-in-progress = in progress
status-not-started = not started
course-modules-done = { $done } of { $total } modules done
course-minutes = about { $minutes } minutes
course-version = version { $version }
course-start = Start the course
course-resume = Continue learning
course-all-done = You have completed every module of this course.
course-modules = Modules
module-with-quiz = with quiz
module-completed = done
module-open = open
module-position = Module { $number } of { $count }
module-objectives = Learning objectives
module-next-step = What comes next?
module-quiz-intro = Check your knowledge with { $questions ->
    [one] one question
   *[other] { $questions } questions
}. Take as long as you need.
module-quiz-start = Start the quiz
module-quiz-again = Take the quiz again
module-confirm-read = Read – complete this module
module-previous = Previous module
module-next = Next module

## Quiz
quiz-title = Quiz
quiz-result-title = Result
quiz-intro = Answer every question. You need { $pass } percent to pass. There is no time limit.
quiz-question-number = Question { $number }:
quiz-multiple = several answers are correct
quiz-answer-missing = Please answer this question.
quiz-submit = Submit answers
quiz-passed = Passed
quiz-failed = Not passed
quiz-score = You scored { $score } percent; { $pass } percent are needed to pass.
quiz-continue = Continue
quiz-back-to-lesson = Back to the module to try again
quiz-review = Your answers
quiz-answer-right = Answered correctly
quiz-answer-wrong = Not answered correctly
quiz-your-choice = your choice
quiz-correct-option = correct
quiz-explanation = Explanation
quiz-no-attempts-left = No more attempts are possible for this module. Please contact your department head or HR.
quiz-cooling-down = The next attempt is possible from { $value }. Use the time to read the module again.
quiz-outdated = The course has been revised in the meantime. Please start the quiz again.
error-409 = That is not possible right now.

## Certificates
nav-certificates = Certificates
certificates-title = My certificates
certificates-intro = When you have completed every module of a course, you receive a certificate. It opens the AI tools that require the course.
certificates-none = You have no certificate yet. Complete a course to earn one:
certificate-title = Certificate
certificate-course = Course
certificate-status = Status
certificate-issued = Issued on
certificate-valid-from = Valid from
certificate-valid-until = Valid until
certificate-serial = Certificate number
certificate-version = Version
certificate-holder = Holder
certificate-holder-text = { $name } has successfully completed this course.
certificate-revoke-reason = Reason for revocation
certificate-verify-hint = Anyone can verify this certificate here:
certificate-status-valid = valid
certificate-status-upcoming = valid from the end of the previous certificate
certificate-status-expired = expired
certificate-status-revoked = revoked
verify-title = Verify a certificate
verify-unknown = There is no certificate with the number { $serial }.
revoke-title = Revoke a certificate
revoke-intro = A revoked certificate stops counting at once; AI tools that require it close. The reason is recorded.
revoke-link = Go to the revocation form
revoke-submit = Revoke
revoke-done = Certificate { $serial } ({ $course }) is revoked.
revoke-unknown-serial = There is no certificate with this number.
revoke-already-revoked = This certificate is already revoked.

## AI tools
nav-tools = AI tools
tools-title = My AI tools
tools-intro = These AI tools are provided by the administration. They open once you have completed the required courses and acknowledged the usage policy.
tools-none = No AI tools are listed.
tools-allowed = You may use this tool.
tools-valid-until = Your access holds until { $date }.
tools-open = Open { $name }
tools-locked = Still locked. Missing:
tools-missing-course = the course "{ $course }"
tools-missing-expired = a new certificate for "{ $course }" (the previous one has expired)
tools-missing-policy = your acknowledgement of the current usage policy
tools-missing-account = an active account
tools-unconfirmed = kiwi cannot confirm your access right now. The AI tools stay locked until it can; please try again in a few seconds.
tools-unconfirmed-tool = Access not confirmed at the moment.
tools-code-expired = The sign-in link for { $name } had expired or was already used. Please open the tool again.
sign-out-title = Sign out
sign-out-question = Do you want to sign out of kiwi? This also closes every AI tool you opened through kiwi.
tools-back = All AI tools
tools-come-back = Once everything is done, "Open { $name }" takes you to exactly where you wanted to go in the tool.
policy-version = Version { $version }
policy-effective = in force from { $date }
policy-acknowledge-heading = Acknowledge the usage policy
policy-acknowledge-text = By acknowledging, you confirm that you have read the usage policy and will follow it when working with AI tools.
policy-acknowledge-submit = Read and understood
policy-acknowledged = You acknowledged version { $version }.

## Keys
keys-title = API keys of the AI tools
keys-intro = With a key, an AI tool asks kiwi whether a person may use it. IT creates new keys on the server; kiwi shows a key only once and stores only its hash.
keys-tool = Tool
keys-prefix = Key starts with
keys-created = Created on
keys-active = active
keys-revoked = revoked
keys-revoke = Revoke
keys-none = There are no keys yet.
certificate-download = Download as PDF
pdf-confirms = This is to certify that
pdf-completed = has successfully completed the course
pdf-version = (version { $version }).
admin-no-results = Nobody matches this search.

## Accessibility
accessibility-title = Accessibility statement
accessibility-intro = { $organisation } strives to make kiwi accessible in accordance with the German Barrier-Free Information Technology Ordinance (BITV 2.0). This statement applies to the learning platform kiwi.
accessibility-status-heading = Compliance status
accessibility-status = kiwi aims to meet WCAG 2.1 level AA. Every page is checked automatically in a real browser with every change: with axe-core against the WCAG 2.1 A and AA rules, with the keyboard alone along the main journeys (sign-in, course, quiz, certificate, team) and at 320 pixels width for display without horizontal scrolling. The pages work without JavaScript.
accessibility-limits-heading = Known limitations
accessibility-limits = The certificate PDFs are not yet tagged as accessible PDF (PDF/UA); everything they state is also on the certificate page and the public verification page.
accessibility-feedback-heading = Feedback and contact
accessibility-feedback = Have you noticed barriers? Or do you need content in another form? Write to us:
accessibility-enforcement-heading = Enforcement procedure
accessibility-enforcement = If you do not receive a satisfactory answer to your feedback, you can turn to your federal state's arbitration or enforcement body for accessible information technology.

## Refresher
refresher-title = Refresher
refresher-heading = Renew your certificate
refresher-due = Your certificate is valid until { $date }.
refresher-expired = Your certificate expired on { $date }.
refresher-intro = To renew it, a short refresher of { $questions } questions from all modules of the course is enough. The new certificate follows on from the previous one.
refresher-start = Start the refresher
refresher-back = Back to the course
refresher-not-yet = A certificate can be renewed from 60 days before it ends.

## Reports
report-hr-title = Training records
report-trail = Position in the organisation
report-intro = { $people ->
    [one] One person in this unit and the units below it.
   *[other] { $people } people in this unit and the units below it.
}
report-filter-heading = Filters
report-filter-course = Course
report-filter-status = Status
report-all-courses = All courses
report-all-statuses = Any status
report-filter-apply = Apply filters
report-download-csv = Download as CSV
report-download-xlsx = Download as Excel file (XLSX)
report-courses-heading = Status per course
report-done-of = { $done } of { $total } done ({ $percent } %)
report-done-short = { $done } / { $total } ({ $percent } %)
report-units-heading = Units below
report-unit = Org unit
report-people = People
report-people-heading = People
report-people-count = { $shown } of { $total } people
report-person = Person
report-valid-until = valid until { $date }
report-due-on = due on { $date }
report-pages = Pages
report-previous-page = Previous page
report-next-page = Next page
report-page-of = Page { $page } of { $pages }
report-no-people = Nobody matches the filters.
record-status-done = Done (valid certificate)
record-status-valid = Valid
record-status-expiring = Expiring soon
record-status-overdue = Overdue
record-status-expired = Expired
record-status-in_progress = In progress
record-status-not_started = Not started
export-sheet-name = Training records
export-column-personnel_number = Personnel number
export-column-name = Name
export-column-email = Email
export-column-org_unit = Org unit
export-column-course_id = Course ID
export-column-course_title = Course
export-column-course_version = Course version
export-column-status = Status
export-column-completed_at = Completed at
export-column-certificate_serial = Certificate number
export-column-valid_until = Valid until
export-column-assigned_due_at = Due on

## Assignments
assignments-link = Manage assignments
assignments-title = Assignments
assignments-intro = Assign a course with a due date to an org unit (with every unit below it) or to one person. People who join the unit later get its open assignments too.
assignments-open = Open assignments
assignments-none = There are no open assignments.
assignment-new = New assignment
assignment-course = Course
assignment-target = For whom
assignment-target-unit = An org unit and every unit below it
assignment-target-person = One person
assignment-unit = Org unit
assignment-person = Person
assignment-person-hint = Personnel number or email address (only with “One person”).
assignment-due = Due on
assignment-due-hint = A date as YYYY-MM-DD, for example 2027-03-31.
assignment-submit = Assign
assignment-actions = Actions
assignment-withdraw = Withdraw
assignment-unit-and-below = { $unit } (with every unit below it)
assignment-created = The assignment was saved.
assignment-withdrawn = The assignment was withdrawn.
assignment-error-date = Please enter a valid date (YYYY-MM-DD).
assignment-error-past = The due date must not lie in the past.
assignment-error-unit = This org unit is not part of your area.
assignment-error-person = There is no active person with this personnel number or email address in your area.
home-due = Due on { $date }
home-overdue = Overdue since { $date }

## Evidence report
evidence-link = Evidence under Art. 4 AI Act
evidence-title = Evidence of AI literacy measures (Art. 4 AI Act)
evidence-intro = This report shows which AI literacy training the staff have completed, in which course version, and which gaps are open.
evidence-print-hint = To print it or save it as PDF, use your browser's print function (Ctrl+P).
evidence-organisation = Administration
evidence-scope = Scope
evidence-people = People in scope
evidence-generated-at = Generated at
evidence-generated-by = Generated by
evidence-coverage = Coverage per course
evidence-courses = Courses and course versions
evidence-current-version = Current version
evidence-content-hash = Content checksum
evidence-validity = Certificate validity
evidence-validity-months = { $months } months
evidence-versions-used = Valid certificates per version
evidence-version-count = Version { $version }: { $count }
evidence-none = None
evidence-objectives = Learning objectives of the current version
evidence-units = Coverage per org unit
evidence-unit-people = People directly in the unit
evidence-tools = AI tools and what they require
evidence-tool-courses = requires: { $courses }
evidence-tool-no-courses = requires no course
evidence-tool-policy = acknowledgement of the usage policy
evidence-policy = Usage policy
evidence-policy-status = Current version { $version } (effective { $effective }): acknowledged by { $acknowledged } of { $people } people.
evidence-no-policy = No usage policy is configured.
evidence-gaps = Open gaps
evidence-gap-line = { $overdue } overdue, { $expired } expired
evidence-privacy = This report holds no individual quiz scores, answers, attempt counts or learning times.

## Status report on AI literacy (for the council: sums and shares only)
council-link = Status report on AI literacy for the council
council-title = Status report: AI literacy
council-intro = How are staff enabled to use AI sensibly and safely in their daily work, and who is responsible? This report answers with sums and shares. It names no individual member of staff and can be handed to committees or published as open data.
council-print-hint = To print it or save it as PDF, use your browser's print function (Ctrl+P); navigation and links are left out.
council-download-csv = Download the figures as CSV (open data)
council-download-csv-semicolon = CSV for spreadsheets set up for German (semicolon)
council-organisation = Administration
council-as-of = As of
council-staff = Active staff
council-min-group = Smallest group shown
council-min-group-value = { $min } people
council-coverage-heading = Staff with a valid certificate
council-coverage-intro = The share of active staff who hold a valid certificate of the course. Expired and revoked certificates do not count, nor do staff who have left.
council-administration-heading = Whole administration
council-administration-caption = Whole administration: share with a valid certificate per course
council-course = Course
council-people = Staff
council-share-column = With a valid certificate
council-first-level-heading = By Dezernat (department)
council-first-level-caption = Share with a valid certificate per Dezernat and course
council-first-level = Dezernat
council-second-level-heading = By Fachbereich (division)
council-second-level-caption = Share with a valid certificate per Fachbereich and course, within its Dezernat
council-second-level = Fachbereich
council-small-groups = Small groups are protected: units with fewer than { $min } staff are not shown on their own but merged into “other units”. If that merged group would itself have fewer than { $min } staff, the next smallest unit joins it. So no small group can be worked out as the difference between a total and the units shown. For the same reason, Fachbereiche are merged within their Dezernat, and staff placed directly in a Dezernat form a group of their own there. If the whole administration has fewer than { $min } staff, “fewer than { $min }” stands in place of a number.
council-other-units = other units
council-direct = { $unit } (placed directly)
council-share = { $percent }% ({ $count } of { $people })
council-suppressed = fewer than { $min }
council-empty = no data
council-no-groups = No units with staff are recorded.
council-trend-heading = Trend per quarter
council-trend-caption = Share with a valid certificate at the end of the last four quarters and in the current quarter, whole administration
council-quarter-column = Quarter
council-quarter-day-column = Reference day
council-quarter = Q{ $quarter } { $year }
council-quarter-so-far = { $day } (current quarter)
council-trend-method = How it is computed: on a reference day, everyone counts who was recorded in kiwi at that moment and not marked as having left; staff who have left count until the day they left. A certificate counts from the day it was issued until its validity ends, a revoked one only until it was revoked. kiwi has no joining date and keeps only the latest leaving: staff do not count before they were added to kiwi (“no data”), and someone who left and came back counts for the whole time since they were first added. The trend is shown for the whole administration only, because kiwi does not keep earlier placements in units. The current quarter shows today's figures.
council-tools-heading = AI tools released and what they require
council-tools-caption = AI tools and what they require
council-tool = Tool
council-tool-courses = Required courses
council-tool-policy = Acknowledgement of the usage policy required
council-yes = yes
council-no = no
council-tool-no-courses = none
council-no-tools = No AI tools are configured.
council-policy-heading = Usage policy
council-policy-version = Current version
council-policy-effective = Effective from
council-policy-acknowledged = Acknowledged by active staff
council-policy-subject = Usage policy, current version acknowledged
council-no-policy = No usage policy is configured.
council-overdue-heading = Missed due dates
council-overdue-intro = Staff whose assigned due date has passed without them holding a valid certificate, per course. Only numbers are given, never names.
council-overdue-caption = Missed due dates per course, whole administration
council-overdue-column = With a missed due date
council-contacts-heading = Who is responsible
council-contacts-intro = These central offices are responsible for staff and divisions being able to use AI tools safely: training, usage rules, data protection and IT security.
council-contacts-caption = Central offices and how to reach them
council-contact-office = Office
council-contact-name = Responsible
council-contact-email = Email
council-contact-phone = Phone
council-no-contacts = No central offices are configured.
council-privacy = This report holds sums and shares only. It names no member of staff and holds no quiz scores, answers, attempt counts or learning times.

## Password by link
import-invited = Everyone newly added receives an email with a link to set their password. The link works for seven days.
sign-in-forgot = Forgot your password?
sign-in-password-set = Your password is saved. Sign in with it now.
forgot-title = Forgot your password
forgot-intro = Enter the email address of your kiwi account. We will send you a link to set a new password.
forgot-submit = Send me a link
forgot-sent = If this address belongs to a kiwi account, an email with a link is on its way. The link works for 60 minutes and only once. Please also check your spam folder.
forgot-throttled = Too many links were requested for this address or from this device. Please wait an hour and try again.
forgot-back = Back to sign-in
invitation-title = Welcome to kiwi
invitation-intro = Hello { $name }, please set your password now. Then sign in with it.
reset-title = Set a new password
reset-intro = Hello { $name }, please set your new password now. This ends all your current sign-ins.
password-link-account = Your account: { $email }
password-link-submit = Save password
link-invalid-title = This link no longer works
link-invalid-text = The link has already been used or has expired. For your security, every link works only once and only for a short time.
link-invalid-new = Request a new link

## Emails
mail-greeting = Hello { $name },
mail-closing = Your kiwi team – { $organisation }
mail-footer = This email was sent automatically by kiwi, the AI literacy learning platform. Please do not reply to it.
mail-link-hint = If the button does not work, copy this address into your browser:
mail-invitation-subject = Welcome to kiwi – set your password
mail-invitation-body = { $organisation } invites you to kiwi, the learning platform for using AI safely and sensibly in public administration. Your account is ready; only your password is missing.
mail-invitation-action = Set password
mail-invitation-note = The link works until { $date } and only once. You sign in with your email address { $email }.
mail-reset-subject = Your new kiwi password
mail-reset-body = A new password was requested for your kiwi account.
mail-reset-action = Set a new password
mail-reset-note = The link works for { $minutes } minutes and only once. If you did not request a new password, you can delete this email; your password stays as it is.
mail-course-action = Go to the course
mail-assignment-subject = A new course for you: { $course }
mail-assignment-body = Please complete the course “{ $course }” by { $date }. You learn at your own pace and can pause at any time.
mail-reminder-subject = Reminder: “{ $course }” by { $date }
mail-reminder-body = Please remember the course “{ $course }”: it is due by { $date }, { $days ->
    [0] that is today
    [one] that is tomorrow
   *[other] in { $days } days
}.
mail-overdue-subject = Overdue: “{ $course }”
mail-overdue-body = The course “{ $course }” was due by { $date }. Please complete it soon; what you have learned so far is saved.
mail-digest-subject = Weekly overview: overdue courses in { $unit }
mail-digest-body = { $count ->
    [one] One assigned course in your area is past its due date and not completed yet:
   *[other] { $count } assigned courses in your area are past their due date and not completed yet:
}
mail-digest-item = { $name }: “{ $course }”, due { $date }
mail-digest-note = This overview only lists what is open – no results and no answers.
mail-digest-action = Go to “My team”
mail-certificate-issued-subject = Your certificate: { $course }
mail-certificate-issued-body = Congratulations! You completed the course “{ $course }”. Your certificate { $serial } is valid until { $date }.
mail-certificate-action = View the certificate and download it as PDF
mail-expiring-subject = Your certificate “{ $course }” ends on { $date }
mail-expiring-body = Your certificate for “{ $course }” is valid until { $date }. A short refresher renews it; the new certificate starts right where the current one ends.
mail-expiring-action = Renew now
mail-access-lost-subject = { $tool } is closed for you
mail-access-lost-revoked = Your certificate for “{ $course }” was revoked. Therefore you can no longer use { $tool }.
mail-access-lost-expired = Your certificate for “{ $course }” has expired. Therefore you can no longer use { $tool }.
mail-access-lost-help = “My AI tools” shows what is missing and how to unlock the tool again.
mail-access-lost-action = Go to “My AI tools”

## Email administration
mail-admin-title = Emails
mail-admin-intro = kiwi writes every email to an outbox first and sends it from there. If sending fails, kiwi tries again with growing pauses, at most { $tries } times; then it gives up. This page does not show the text of the emails.
mail-admin-folder = No SMTP server is configured. kiwi saves every email as a file in:
mail-admin-counts = Overview
mail-admin-none-yet = No emails have been written yet.
mail-admin-unsent = Not sent yet
mail-admin-all-sent = All emails have been sent.
mail-admin-created = Written
mail-admin-kind = Kind
mail-admin-recipient = Recipient
mail-admin-subject = Subject
mail-admin-tries = Tries
mail-admin-last-error = Last error
mail-admin-next-try = next try: { $time }
mail-admin-retry = Try again
mail-status-queued = waiting to be sent
mail-status-sending = being sent
mail-status-failed = failed, will be tried again
mail-status-sent = sent
mail-status-gave-up = given up
mail-kind-invitation = Invitation
mail-kind-password-reset = New password
mail-kind-assignment = New assignment
mail-kind-reminder = Reminder
mail-kind-overdue = Overdue
mail-kind-digest = Weekly overview
mail-kind-certificate-issued = Certificate issued
mail-kind-certificate-expiring = Certificate ending
mail-kind-access-lost = Tool closed
quiz-reread = Read these sections again:
contacts-heading = Whom do I ask?
contacts-intro = For questions about AI, data protection and information security, these offices of the administration help you.
contacts-phone = Phone

## Directory groups and webhooks
integrations-title = Directory groups and webhooks
integrations-intro = For every tool with a directory group, kiwi keeps its members current: whoever may use the tool is a member; whoever may no longer (a certificate expired or revoked, left the organisation, new usage policy not acknowledged) is removed. Webhooks hear of the same changes and of every certificate issued or revoked. Every change waits here first; when it fails, kiwi tries again after growing pauses. What the other system refuses for good (such as a person it does not know) is reported and not tried again.
integrations-settings = Settings
integrations-directory-url = Directory
integrations-bind-dn = Bound as
integrations-people-base = People under
integrations-match-attribute = People recognised by
integrations-member-attribute = Members in the attribute
integrations-no-directory = No directory is set up (KIWI_LDAP_URL).
integrations-groups = The tools' directory groups
integrations-tool = Tool
integrations-group = Group
integrations-webhooks = Webhooks
integrations-webhook-name = Name
integrations-webhook-url = Address
integrations-webhook-events = Hears of
integrations-webhook-of-tools = entitlements for { $tools }
integrations-webhook-everything = all entitlements and certificates
integrations-no-webhooks = No webhook is set up.
integrations-counts = Overview
integrations-kind = Kind
integrations-count = Number
integrations-none-yet = There have been no changes for the directory or webhooks yet.
integrations-open = Not done yet
integrations-all-done = Every change is done.
integrations-created = Written
integrations-what = Change
integrations-person = Person
integrations-tries = Tries
integrations-last-error = Last error
integrations-next-try = next try: { $time }
integrations-retry = Try again
integrations-kind-directory = Directory
integrations-kind-webhook = Webhook
integrations-status-queued = waiting
integrations-status-applying = being applied
integrations-status-failed = failed, will be tried again
integrations-status-done = done
integrations-status-gave-up = refused or given up
integrations-last = Last reconciliation
integrations-never-reconciled = The groups have not been reconciled yet. kiwi reconciles them every night; at once with "kiwi directory sync".
integrations-last-nightly = Nightly reconciliation from { $started } to { $finished }.
integrations-last-command = Reconciliation from the command line from { $started } to { $finished }.
integrations-last-dry-run = Checked only, nothing changed.
integrations-last-summary = Added: { $added }, removed: { $removed }, unmanaged members left alone: { $unmanaged }, not in the directory: { $missing }.
integrations-last-failed = The reconciliation failed:
integrations-group-failed = This group could not be reconciled:
integrations-group-summary = { $members ->
    [one] One member
   *[other] { $members } members
} before; { $entitled ->
    [one] one person may
   *[other] { $entitled } people may
} use the tool.
integrations-group-pending = { $count ->
    [one] One difference is
   *[other] { $count } differences are
} left to changes already waiting.
integrations-added = Added
integrations-removed = Removed (may not use the tool)
integrations-unmanaged = Members without a person in kiwi (left alone)
integrations-not-found = Entitled, but not in the directory
integrations-more = … and { $count } more.

## Privacy: the inventory of stored data (/privacy)
privacy-title = Inventory of stored data
profile-privacy-link = What kiwi stores about me
privacy-intro = This page names every field kiwi stores for { $organisation }: what it is for, who can see it in kiwi, where it is sent and when it is deleted. It is generated from the same description that is checked against the database automatically with every change.
privacy-defaults-heading = What always holds
privacy-default-no-scores = Department heads and HR never see individual scores, answers, numbers of attempts or time spent. They see only whether someone completed a course, is working on it or has not started, and until when a certificate is valid.
privacy-default-no-time = kiwi measures no learning or reading time: it does not store how long anyone reads a lesson or keeps a page open. It stores single points in time only (when a module was completed, when a quiz attempt started and was submitted, when a sign-in was last used); the times of a quiz attempt are seen by the person alone.
privacy-default-tools = AI tools, the directory and webhooks learn only whether a person may use a tool, and why not: never scores, answers or attempts.
privacy-default-database = Whoever runs the database or the server can read every field named here directly. That technical access is outside what kiwi can show or limit; it is governed by the operators' rights and their logs.
privacy-retention-heading = Retention and deletion
privacy-retention-summary-answers = The options chosen in a quiz attempt are deleted { $count ->
    [one] one day
   *[other] { $count } days
} after it was submitted; the score and whether it passed stay.
privacy-retention-summary-left = For people who left, { $count ->
    [one] one day
   *[other] { $count } days
} after they left their name, email address and personnel number are replaced by a pseudonym, and their password, sign-ins, second factor and mails are deleted. Their completions and certificates stay linked to the pseudonym, so that the evidence figures stay right; their certificates can no longer be verified in public then.
privacy-retention-summary-mail = Sent mail is deleted after { $count } days.
privacy-retention-summary-throttle = Counts of failed sign-ins are deleted after the throttle window (after { $count } minutes).
privacy-retention-summary-audit = Entries of the audit log are deleted after { $count ->
    [one] one day
   *[other] { $count } days
}.
privacy-retention-job = kiwi deletes once a day, after 3 a.m.; operators can run it at any time with "kiwi retention run" and see beforehand what would be deleted with "--dry-run".
privacy-tables-heading = Every stored field
privacy-tables-intro = Per table of the database: each column with its purpose, who can see it in kiwi, where it is sent and how long it stays.
privacy-table-retention = Retention:
privacy-table-caption = Columns of the table { $table }
privacy-column = Field
privacy-purpose = Purpose
privacy-seen-by = Who sees it
privacy-goes-to = Where it goes
privacy-kept = How long
privacy-postgres-only = PostgreSQL only
privacy-viewer-own = the person themselves
privacy-viewer-heads = department head (own unit)
privacy-viewer-hr = HR
privacy-viewer-admins = administrators
privacy-viewer-tools = AI tools
privacy-viewer-verifiers = anyone who knows the serial (public verification page)
privacy-viewer-nobody = nobody in kiwi (for operation only)
privacy-goes-tools = AI tools
privacy-goes-directory = directory (LDAP)
privacy-goes-webhooks = webhooks
privacy-goes-mail = mail to the person
privacy-goes-nowhere = nowhere
privacy-retention-person = While the person works here; replaced by a pseudonym { $count ->
    [one] one day
   *[other] { $count } days
} after they left.
privacy-retention-records = Kept as evidence; linked only to the pseudonym { $count ->
    [one] one day
   *[other] { $count } days
} after the person left.
privacy-retention-replaced = Until replaced or reset; deleted { $count ->
    [one] one day
   *[other] { $count } days
} after the person left at the latest.
privacy-retention-answers = Deleted { $count ->
    [one] one day
   *[other] { $count } days
} after submission.
privacy-retention-session = Until sign-out; at most 2 hours without use or 12 hours.
privacy-retention-minutes = Until used, or expired within minutes.
privacy-retention-throttle = Past the throttle window ({ $count } minutes).
privacy-retention-mail = { $count } days.
privacy-retention-operations = { $count } days.
privacy-retention-links = { $count } days after the link ended.
privacy-retention-audit = { $count ->
    [one] One day
   *[other] { $count } days
}.
privacy-retention-feed = One day.
privacy-retention-kept = As long as kiwi runs (no data about people).
quiz-answers-removed = The options you chose were deleted when their retention period ended. The score and whether you passed stay.

## My data (access under Art. 15 GDPR) and who looked at it
profile-my-data-intro = Everything kiwi stores about you, and who saw your records in reports and exports.
profile-my-data-link = View and download my data
my-data-title = My data
my-data-back = Back to "My profile"
my-data-intro = This is everything kiwi stores about you (access under Art. 15 GDPR). Only you see this page.
my-data-downloads = Download
my-data-download-json = Download as a JSON file (machine-readable)
my-data-download-html = Download as an HTML file (to read and print)
my-data-print-hint = You can also print this page; navigation and buttons are left out.
my-data-generated = As of { $time }
my-data-account = Account
my-data-created = Created on
my-data-status-active = active
my-data-status-left = left
my-data-views = Who looked?
my-data-views-intro = Every time a department head or HR opens a report or downloads an export that includes you, or HR changes something about you, it is listed here: who, when and what.
my-data-views-never = Department heads and HR never see your quiz scores, your attempts or how long you spent learning, only whether and when you completed a course.
my-data-views-technical = Not listed is the technical access of the database administrators; it is governed by the rules of operation, not by kiwi.
my-data-views-none = Nobody has opened a report or export that includes you yet.
my-data-when = When
my-data-who = Who
my-data-what = What
my-data-included = Included
my-data-included-people = { $count ->
    [one] only you
   *[other] you and others, { $count } people in all
}
my-data-role-manager = Department head
my-data-role-hr = HR
my-data-role-admin = Administration
my-data-role-command-line = The server's command line
my-data-kind-team-report = Team report
my-data-kind-hr-report = HR report
my-data-kind-team-export = Export of the team report
my-data-kind-hr-export = Export of the training records
my-data-kind-command-line-export = Export of the training records at the command line
my-data-kind-certificate-revoked = Certificate revoked
my-data-kind-people-imported = Staff data imported (created or changed)
my-data-kind-second-factor-reset = Second factor reset
my-data-kind-assignment-created = Course assigned to you personally
my-data-kind-other = Other access
my-data-progress = Progress
my-data-course = Course
my-data-module = Module
my-data-version = Version
my-data-how = How
my-data-completion-read = read
my-data-completion-passed = quiz passed
my-data-attempts = Quiz attempts
my-data-attempts-intro = Only you see your scores.
my-data-started = Started
my-data-submitted = Submitted
my-data-not-submitted = not submitted
my-data-score = Score
my-data-percent = { $value } %
my-data-result = Passed?
my-data-passed = passed
my-data-not-passed = not passed
my-data-certificates = Certificates
my-data-acknowledgements = Usage policy acknowledged
my-data-policy-version = Version
my-data-assignments = Assigned courses
my-data-due = Due on
my-data-assigned-to = For
my-data-assigned-to-you = You personally
my-data-assigned-by = Assigned by
my-data-assigned-on = Assigned on
my-data-withdrawn = Withdrawn on
my-data-mails = Mails to you
my-data-subject = Subject
my-data-mail-kind = Kind
my-data-audit = Audit log entries
my-data-audit-intro = The audit log records what changed about your account, your roles, certificates and access.
my-data-action = Action
my-data-detail = Details
my-data-by = By
my-data-by-you = You
my-data-by-others = kiwi or an authorised person
my-data-none = None.
