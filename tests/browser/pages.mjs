// The pages the browser suite visits: one table per role.
//
// A row names one page (or a group of similar pages) and says how to reach it:
//
//   {
//     id: 'profile',              // names the page in the report and the screenshot files
//     path: '/profile',           // open it by URL ...
//     open: async (t) => resp,    // ... or by steps (form submissions): returns the response of
//                                 //     the page the steps end on; a row continues where the row
//                                 //     before it left the browser
//     each: async (t) => [{ id, path }, …],  // ... or expand to several pages opened by URL
//     status: 200,                // the HTTP status the page must answer with (default 200)
//     focus: '.error-summary',    // where the keyboard focus must be once the page has loaded
//     screenshot: true,           // a main page: desktop and phone screenshots and a Tab walk
//                                 //     through it (only the first page of an `each`)
//     optional: true,             // an `each` that may find nothing (e.g. no second page yet)
//   }
//
// `t` is the browser tab of one signed-in person: t.page (the tab), t.goto(path), t.submit(steps)
// (runs steps that end in a form submission and returns the final response), t.links(path,
// selector) (the hrefs a page offers), t.state (shared by the rows of one table in one language)
// and t.quizAnswers (what the result pages taught about right answers).
//
// To cover a new page (certificates, reports …) add a row to the table of every role that can
// reach it.

export const PASSWORD = 'kiwi-demo-2026';

/** The demo sign-in of each role. */
export const PEOPLE = {
  employee: 'anna.schmidt@musterstadt.example',
  manager: 'sabine.wolf@musterstadt.example',
  hr: 'petra.hoffmann@musterstadt.example',
  admin: 'jonas.becker@musterstadt.example',
};

// ---------------------------------------------------------------------------------------------
// The tables

/** Not signed in. */
const anonymous = [
  { id: 'sign-in', path: '/login', screenshot: true },
  { id: 'sign-in-failed', open: failedSignIn, status: 422, focus: '.error-summary', screenshot: true },
  { id: 'signed-out', path: '/login?signed_out=1' },
  { id: 'password-set', path: '/login?password_set=1' },
  { id: 'password-forgot', path: '/password/forgot', screenshot: true },
  { id: 'password-forgot-invalid', open: forgotWithBadAddress, status: 422, focus: '.error-summary', screenshot: true },
  { id: 'password-forgot-sent', path: '/password/forgot?sent=1' },
  { id: 'password-link-invalid', path: '/invite/abgelaufen', status: 410, screenshot: true },
  { id: 'not-found-signed-out', path: '/gibt-es-nicht', status: 404 },
  { id: 'verify-unknown', path: '/verify/KIWI-2026-0000-0000', status: 404, screenshot: true },
  { id: 'accessibility', path: '/accessibility', screenshot: true },
];

/** Certificates, AI tools and the usage policy: every signed-in person. */
const certificates = [
  { id: 'certificates', path: '/certificates', screenshot: true },
  { id: 'certificate', each: ownCertificates, screenshot: true, optional: true },
  { id: 'verify', each: verifyOwn, screenshot: true, optional: true },
  { id: 'tools', path: '/tools', screenshot: true },
  { id: 'tool', path: '/tools/kreativbot?next=/chat', screenshot: true },
  { id: 'tool-code-expired', path: '/tools/kreativbot?expired=1' },
  { id: 'sign-out', path: '/logout', screenshot: true },
  { id: 'policy', path: '/policy', screenshot: true },
];

/** Courses, modules and quizzes: every signed-in person. */
const learning = ({ allModules }) => [
  { id: 'start', path: '/', screenshot: true },
  { id: 'courses', path: '/courses', screenshot: true },
  { id: 'course', each: courses, screenshot: true },
  { id: 'module', each: allModules ? everyModule : firstModules, screenshot: true },
  { id: 'quiz', open: startQuiz, screenshot: true },
  { id: 'quiz-unanswered', open: submitQuizWithGap, status: 422, focus: '.error-summary', screenshot: true },
  { id: 'quiz-result', open: completeQuiz, focus: '#result', screenshot: true },
  { id: 'quiz-result-passed', open: passQuiz, focus: '#result', screenshot: true },
];

/** The profile: every signed-in person. */
const profile = [
  { id: 'profile', path: '/profile', screenshot: true },
  { id: 'privacy', path: '/privacy', screenshot: true },
  { id: 'my-data', path: '/profile/data', screenshot: true },
  { id: 'password-too-short', open: passwordTooShort, status: 422, focus: '.error-summary', screenshot: true },
  { id: 'password-wrong-current', open: passwordWrongCurrent, status: 422, focus: '.error-summary' },
];

export const ROLE_PAGES = {
  anonymous,
  employee: [
    ...learning({ allModules: true }),
    ...certificates,
    ...profile,
    { id: 'not-found', path: '/gibt-es-nicht', status: 404, screenshot: true },
    { id: 'forbidden', path: '/admin', status: 403, screenshot: true },
    { id: 'forbidden-hr', path: '/hr', status: 403 },
    { id: 'forbidden-team', path: '/team', status: 403 },
    { id: 'forbidden-assignments', path: '/assignments', status: 403 },
  ],
  manager: [
    ...learning({ allModules: false }),
    ...certificates,
    ...profile,
    { id: 'team', path: '/team', screenshot: true },
    { id: 'team-filtered', path: '/team?course=prompting&status=not_started' },
    { id: 'team-unit', each: teamUnits },
    { id: 'assignments', path: '/assignments', screenshot: true },
    { id: 'assignment-errors', open: assignUnknownPerson, status: 422, focus: '.error-summary', screenshot: true },
  ],
  hr: [
    ...learning({ allModules: false }),
    ...profile,
    { id: 'hr', path: '/hr', screenshot: true },
    { id: 'hr-import-errors', open: importBadCsv, status: 422, focus: '.error-summary', screenshot: true },
    { id: 'revoke', path: '/hr/certificates/revoke', screenshot: true },
    { id: 'hr-report', path: '/hr/report', screenshot: true },
    { id: 'hr-report-filtered', path: '/hr/report?course=datenschutz&status=done' },
    { id: 'hr-evidence', path: '/hr/evidence', screenshot: true },
    { id: 'council-report', path: '/hr/council-report', screenshot: true },
    { id: 'hr-assignments', path: '/assignments' },
    { id: 'revoke-unknown', open: revokeUnknown, status: 422, focus: '.error-summary' },
    ...certificates,
  ],
  admin: [
    ...learning({ allModules: false }),
    ...profile,
    { id: 'admin', path: '/admin', screenshot: true },
    { id: 'admin-search', path: '/admin?q=schmidt' },
    { id: 'admin-search-nothing', path: '/admin?q=niemand-heisst-so' },
    { id: 'admin-page', each: adminPages, optional: true },
    { id: 'admin-keys', path: '/admin/keys', screenshot: true },
    { id: 'admin-mail', path: '/admin/mail', screenshot: true },
    { id: 'admin-integrations', path: '/admin/integrations', screenshot: true },
    { id: 'council-report', path: '/hr/council-report', screenshot: true },
    ...certificates,
  ],
};

// ---------------------------------------------------------------------------------------------
// Pages found by following links

async function courses(t) {
  t.state.courses ??= await t.links('/courses', 'main .course-title a');
  return t.state.courses.map((path) => ({ id: `course-${lastSegment(path)}`, path }));
}

async function modulesOf(t) {
  if (!t.state.modules) {
    t.state.modules = [];
    for (const { path } of await courses(t)) {
      t.state.modules.push(await t.links(path, 'main .module-list a'));
    }
  }
  return t.state.modules;
}

async function everyModule(t) {
  return (await modulesOf(t)).flat().map(moduleRow);
}

async function firstModules(t) {
  return (await modulesOf(t)).filter((list) => list.length > 0).map((list) => moduleRow(list[0]));
}

function moduleRow(path) {
  const [, , course, , module] = path.split('/');
  return { id: `module-${course}-${module}`, path };
}

async function adminPages(t) {
  const next = await t.links('/admin', 'main .pagination a');
  return [...new Set(next)].map((path) => ({ id: `admin-${path.replace(/\W+/g, '-')}`, path }));
}

async function ownCertificates(t) {
  const links = await t.links('/certificates', 'main table a');
  return links.slice(0, 1).map((path) => ({ id: `certificate-${lastSegment(path)}`, path }));
}

/** The public verification page of the person's first certificate, by its link. */
async function verifyOwn(t) {
  const [first] = await ownCertificates(t);
  if (!first) return [];
  const links = await t.links(first.path, 'main a[href*="/verify/"]');
  return links.slice(0, 1).map((href) => ({ id: 'verify-valid', path: new URL(href, 'http://x').pathname }));
}

function lastSegment(path) {
  return path.split('/').filter(Boolean).pop();
}

// ---------------------------------------------------------------------------------------------
// Forms

async function failedSignIn(t) {
  await t.goto('/login');
  return t.submit(async (page) => {
    await page.fill('#email', 'niemand@musterstadt.example');
    await page.fill('#password', 'ganz-sicher-falsch');
    await page.click('main form[action="/login"] button[type="submit"]');
  });
}

async function forgotWithBadAddress(t) {
  await t.goto('/password/forgot');
  return t.submit(async (page) => {
    // The browser accepts an address without a dot in the domain; kiwi does not.
    await page.fill('#email', 'niemand@musterstadt');
    await page.click('main form[action="/password/forgot"] button[type="submit"]');
  });
}

async function changePassword(t, current, fresh, repeat) {
  await t.goto('/profile');
  return t.submit(async (page) => {
    await page.fill('#current_password', current);
    await page.fill('#new_password', fresh);
    await page.fill('#new_password_repeat', repeat);
    await page.click('main form[action="/profile/password"] button[type="submit"]');
  });
}

function passwordTooShort(t) {
  return changePassword(t, 'nicht-das-richtige', 'kurz', 'kurz');
}

function passwordWrongCurrent(t) {
  return changePassword(t, 'nicht-das-richtige', 'ein-neues-langes-passwort', 'ein-neues-langes-passwort');
}

async function revokeUnknown(t) {
  await t.goto('/hr/certificates/revoke');
  return t.submit(async (page) => {
    await page.fill('#serial', 'KIWI-2026-0000-0000');
    await page.fill('#reason', 'Test');
    await page.click('main form[action="/hr/certificates/revoke"] button[type="submit"]');
  });
}

async function teamUnits(t) {
  const links = await t.links('/team', 'main table th a');
  return links.map((path) => ({ id: `team-unit-${links.indexOf(path) + 1}`, path }));
}

async function assignUnknownPerson(t) {
  await t.goto('/assignments');
  return t.submit(async (page) => {
    await page.check('#target-person');
    await page.fill('#person', 'niemand@musterstadt.example');
    await page.fill('#due_on', '2030-01-31');
    await page.click('main form[action="/assignments"] button[type="submit"]');
  });
}

/** A CSV with a bad row of every kind the import reports. */
const BAD_CSV = [
  'personnel_number,name,email,org_unit,roles',
  '9001,Erika Muster,erika.muster@musterstadt.example,Dezernat I – Verwaltungsführung,',
  '9002,Max Beispiel,keine-adresse,Dezernat I – Verwaltungsführung,',
  '9003,,ohne.name@musterstadt.example,Dezernat I – Verwaltungsführung,',
  '9004,Rolf Rolle,rolf.rolle@musterstadt.example,Dezernat I – Verwaltungsführung,kaiser',
  ',Nina Nummer,nina.nummer@musterstadt.example,Dezernat I – Verwaltungsführung,',
  '9001,Erika Doppelt,erika.doppelt@musterstadt.example,,',
].join('\n');

async function importBadCsv(t) {
  await t.goto('/hr');
  return t.submit(async (page) => {
    await page.setInputFiles('#file', {
      name: 'personal.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(BAD_CSV + '\n', 'utf8'),
    });
    await page.click('main form[action="/hr/import"] button[type="submit"]');
  });
}

// ---------------------------------------------------------------------------------------------
// Quizzes: start one, submit it with a question left out (422), complete it (a result that
// usually fails), then take it again with what the result pages showed until it is passed.

async function quizModule(t) {
  if (!t.state.quizModule) {
    for (const { path } of await everyModule(t)) {
      await t.goto(path);
      if (await t.page.locator(QUIZ_START).count()) {
        t.state.quizModule = path;
        break;
      }
    }
    if (!t.state.quizModule) throw new Error('no module with a quiz found');
  }
  return t.state.quizModule;
}

const QUIZ_START = 'main form[action$="/attempts"] button[type="submit"]';
const QUIZ_SUBMIT = 'main form.quiz button[type="submit"]';

async function startQuiz(t) {
  const module = await quizModule(t);
  await t.goto(module);
  const response = await t.submit((page) => page.click(QUIZ_START));
  if (!new URL(t.page.url()).pathname.startsWith('/attempts/')) {
    throw new Error(`starting the quiz led to ${t.page.url()}`);
  }
  return response;
}

/** Answers every question but the last with its first option. */
async function submitQuizWithGap(t) {
  const questions = t.page.locator('main form.quiz fieldset');
  const count = await questions.count();
  if (count < 2) throw new Error(`the quiz has ${count} question(s)`);
  for (let i = 0; i < count - 1; i++) await questions.nth(i).locator('input').first().check();
  return t.submit((page) => page.click(QUIZ_SUBMIT));
}

/** Answers what is still open with its first option and submits. */
async function completeQuiz(t) {
  const questions = t.page.locator('main form.quiz fieldset');
  for (let i = 0; i < (await questions.count()); i++) {
    const question = questions.nth(i);
    if ((await question.locator('input:checked').count()) === 0) {
      await question.locator('input').first().check();
    }
  }
  const response = await t.submit((page) => page.click(QUIZ_SUBMIT));
  await learnAnswers(t);
  return response;
}

/** Takes the quiz again, answering from what earlier results showed, until it is passed. */
async function passQuiz(t) {
  for (let attempt = 1; attempt <= 12; attempt++) {
    await startQuiz(t);
    const questions = await t.page.$$eval('main form.quiz fieldset', (sets) =>
      sets.map((set) => {
        const legend = set.querySelector('legend').cloneNode(true);
        legend.querySelectorAll('.question-number, .hint').forEach((n) => n.remove());
        return {
          text: legend.textContent.replace(/\s+/g, ' ').trim(),
          options: [...set.querySelectorAll('.choice')].map((c) => ({
            id: c.querySelector('input').id,
            text: c.querySelector('label').textContent.replace(/\s+/g, ' ').trim(),
          })),
        };
      }),
    );
    for (const question of questions) {
      const right = t.quizAnswers.get(question.text);
      const picks = right ? question.options.filter((o) => right.has(o.text)) : [];
      for (const option of picks.length ? picks : question.options.slice(0, 1)) {
        await t.page.check(`#${option.id}`);
      }
    }
    const response = await t.submit((page) => page.click(QUIZ_SUBMIT));
    await learnAnswers(t);
    if (await t.page.locator('#result.result-passed').count()) return response;
  }
  throw new Error('the quiz was not passed in 12 attempts');
}

/** Remembers the right options the result page shows. */
async function learnAnswers(t) {
  const review = await t.page.$$eval('main ol.review > li.question', (items) =>
    items.map((item) => ({
      text: item.querySelector('h3').textContent.replace(/\s+/g, ' ').trim(),
      right: [...item.querySelectorAll('.options > li.option-correct')].map((li) => {
        const copy = li.cloneNode(true);
        copy.querySelectorAll('.option-tags').forEach((n) => n.remove());
        return copy.textContent.replace(/\s+/g, ' ').trim();
      }),
    })),
  );
  for (const { text, right } of review) t.quizAnswers.set(text, new Set(right));
}
