#!/usr/bin/env python3
"""Generates course folders in kiwi's format for the benchmark.

    gen_catalog.py catalog DIR [--courses 50] [--modules 10] [--words 1000]
    gen_catalog.py quiz DIR KEY.json

`catalog` writes a large catalog (German and English, every module a lesson of about
--words words and a pool of 10 questions, 5 drawn per attempt). `quiz` writes one small
course for the quiz benchmark and KEY.json with the correct options of every question,
so the benchmark can compute the score it expects kiwi to store.

The text is generated from word lists with a fixed seed: the same arguments always give
the same files.
"""

import argparse
import json
import os
import random

# ---------------------------------------------------------------------------
# Word material. Not meant to be read by people, only to look and parse like a lesson:
# paragraphs of varied sentences, lists, emphasis, links, a table.
# ---------------------------------------------------------------------------

TOPICS = [
    ("prompting", "Prompts schreiben", "Writing prompts"),
    ("datenschutz", "Datenschutz bei KI", "Data protection and AI"),
    ("ki-verordnung", "Die KI-Verordnung", "The AI Act"),
    ("halluzinationen", "Halluzinationen erkennen", "Spotting hallucinations"),
    ("bias", "Verzerrungen und Fairness", "Bias and fairness"),
    ("urheberrecht", "Urheberrecht und KI", "Copyright and AI"),
    ("barrierefreiheit", "Barrierefreie Texte mit KI", "Accessible texts with AI"),
    ("buergerkommunikation", "Bürgerkommunikation", "Talking to citizens"),
    ("protokolle", "Protokolle und Vermerke", "Minutes and notes"),
    ("uebersetzung", "Übersetzen mit KI", "Translating with AI"),
]
LEVELS = [
    ("grundlagen", "Grundlagen", "Basics"),
    ("praxis", "Praxis", "In practice"),
    ("vertiefung", "Vertiefung", "Going deeper"),
    ("fuehrung", "Für Führungskräfte", "For managers"),
    ("auffrischung", "Auffrischung", "Refresher"),
]

DE = {
    "subjects": [
        "Ein Sprachmodell", "Die Sachbearbeiterin", "Der Sachbearbeiter", "Ihr Team",
        "Die Fachaufsicht", "Das Bürgerbüro", "Die Datenschutzbeauftragte",
        "Eine gute Anweisung", "Der Chatbot", "Die Verwaltung", "Jede Antwort",
        "Ein Prüfschritt", "Die Abteilungsleitung", "Das Werkzeug",
    ],
    "verbs": [
        "prüft", "kürzt", "beschreibt", "erklärt", "übersetzt", "ordnet",
        "bewertet", "formuliert", "vergleicht", "dokumentiert", "ergänzt", "vereinfacht",
    ],
    "objects": [
        "den Bescheid", "die Rückfrage einer Bürgerin", "das Protokoll der Sitzung",
        "die Stellungnahme", "den Entwurf der Satzung", "die Gebührenordnung",
        "den Vermerk", "die Pressemitteilung", "die Antwort des Modells",
        "die Quellenangaben", "den Förderantrag", "die Checkliste",
        "die personenbezogenen Daten", "den Text in Leichter Sprache",
    ],
    "adverbs": [
        "sorgfältig", "in wenigen Sekunden", "Schritt für Schritt", "vor dem Versand",
        "nach dem Vier-Augen-Prinzip", "ohne Namen und Aktenzeichen", "mit Quellenangabe",
        "im Zweifel noch einmal", "gemeinsam mit der Fachabteilung",
    ],
    "connectors": [
        "weil", "damit", "sobald", "bevor", "obwohl", "wenn",
    ],
    "clauses": [
        "die Verantwortung bei Ihnen bleibt",
        "das Modell keine Fakten nachschlägt",
        "personenbezogene Daten geschützt bleiben müssen",
        "die Antwort plausibel klingt, aber falsch sein kann",
        "der Wissensstichtag des Modells in der Vergangenheit liegt",
        "die Bürgerin eine verständliche Antwort erwartet",
        "ein Fehler im Bescheid teuer werden kann",
        "die Nutzungsregeln der Stadt das verlangen",
        "die KI-Verordnung Transparenz fordert",
        "interne Dokumente das Haus nicht verlassen dürfen",
    ],
    "openers": [
        "In der Praxis gilt:", "Wichtig ist:", "Ein Beispiel:", "Merken Sie sich:",
        "Achtung:", "Kurz gesagt:", "Für den Alltag heißt das:",
    ],
    "section_titles": [
        "Worum es geht", "Ein Beispiel aus dem Bürgerbüro", "Typische Fehler",
        "So gehen Sie vor", "Was die Regeln verlangen", "Grenzen des Werkzeugs",
        "Prüfen vor dem Versand", "Zusammenarbeit im Team", "Häufige Fragen",
        "Checkliste für den Alltag",
    ],
    "list_items": [
        "Keine Namen, Adressen oder Aktenzeichen in den Prompt schreiben.",
        "Jede Zahl und jedes Datum mit der Quelle vergleichen.",
        "Den Zweck der Aufgabe in einem Satz nennen.",
        "Die gewünschte Länge und Form angeben.",
        "Ergebnisse als Entwurf behandeln, nie als fertigen Bescheid.",
        "Bei Unsicherheit die Fachaufsicht fragen.",
        "Die verwendeten Quellen im Vermerk festhalten.",
        "Rückfragen an das Modell offen formulieren.",
    ],
    "link_texts": ["KI-Verordnung", "Leitfaden des Bundes", "Datenschutz-Grundverordnung"],
    "file_text": "Checkliste zum Ausdrucken",
    "table": ("Aufgabe", "Geeignet?", "Hinweis"),
    "table_rows": [
        ("Entwurf einer Antwort", "ja", "immer prüfen"),
        ("Bescheid erlassen", "nein", "Entscheidung bleibt beim Menschen"),
        ("Text zusammenfassen", "ja", "ohne personenbezogene Daten"),
        ("Rechtslage ermitteln", "eingeschränkt", "Quellen selbst nachlesen"),
    ],
    "objectives": [
        "Sie erklären, wann ein KI-Werkzeug hilft und wann nicht.",
        "Sie prüfen eine Antwort des Modells vor der Weitergabe.",
        "Sie schützen personenbezogene Daten im Prompt.",
        "Sie kennen die Nutzungsregeln Ihrer Verwaltung.",
        "Sie dokumentieren den Einsatz von KI nachvollziehbar.",
    ],
    "question_stems": [
        "Was tun Sie, bevor Sie {obj} weitergeben?",
        "Wer trägt die Verantwortung für {obj}?",
        "Welche Angabe gehört nicht in einen Prompt über {obj}?",
        "Woran erkennen Sie eine Halluzination in {obj}?",
        "Wann dürfen Sie ein KI-Werkzeug für {obj} nutzen?",
        "Was verlangt die KI-Verordnung beim Umgang mit {obj}?",
        "Wie prüfen Sie Zahlen in {obj}?",
        "Welche Aussage über {obj} trifft zu?",
    ],
    "right": [
        "Ich prüfe Inhalt und Quellen selbst.", "Die Verantwortung bleibt bei mir.",
        "Ich entferne Namen und Aktenzeichen.", "Ich vergleiche mit der Originalquelle.",
        "Ich halte den Einsatz im Vermerk fest.",
    ],
    "wrong": [
        "Ich übernehme die Antwort unverändert.", "Das Modell haftet für Fehler.",
        "Ich füge die ganze Akte in den Prompt ein.", "Eine flüssige Antwort ist immer richtig.",
        "Prüfen ist nur bei langen Texten nötig.", "Der Chatbot kennt alle Ratsbeschlüsse.",
    ],
    "explain": "Ein Sprachmodell erzeugt plausible Texte, prüft aber keine Fakten; die Prüfung und die Verantwortung bleiben bei Ihnen.",
    "question_word": "Frage",
}

EN = {
    "subjects": [
        "A language model", "The caseworker", "Your team", "The supervising unit",
        "The citizens' office", "The data protection officer", "A good instruction",
        "The chatbot", "The administration", "Every answer", "A review step",
        "The head of department", "The tool", "The clerk",
    ],
    "verbs": [
        "checks", "summarises", "describes", "explains", "translates", "sorts",
        "assesses", "drafts", "compares", "documents", "completes", "simplifies",
    ],
    "objects": [
        "the decision letter", "a citizen's question", "the minutes of the meeting",
        "the statement", "the draft bylaw", "the fee schedule", "the file note",
        "the press release", "the model's answer", "the references", "the grant application",
        "the checklist", "the personal data", "the text in plain language",
    ],
    "adverbs": [
        "carefully", "within seconds", "step by step", "before sending it",
        "with a second pair of eyes", "without names or file numbers", "with a source",
        "once more when in doubt", "together with the specialist unit",
    ],
    "connectors": ["because", "so that", "as soon as", "before", "although", "when"],
    "clauses": [
        "the responsibility stays with you",
        "the model does not look facts up",
        "personal data must stay protected",
        "the answer sounds plausible but can be wrong",
        "the model's knowledge cut-off lies in the past",
        "the citizen expects an answer she can understand",
        "a mistake in a decision can be costly",
        "the city's usage rules require it",
        "the AI Act asks for transparency",
        "internal documents must not leave the house",
    ],
    "openers": [
        "In practice:", "What matters:", "An example:", "Remember:", "Careful:",
        "In short:", "For everyday work this means:",
    ],
    "section_titles": [
        "What it is about", "An example from the citizens' office", "Typical mistakes",
        "How to go about it", "What the rules require", "Limits of the tool",
        "Checking before sending", "Working as a team", "Frequent questions",
        "A checklist for every day",
    ],
    "list_items": [
        "Never put names, addresses or file numbers into a prompt.",
        "Compare every figure and date with its source.",
        "State the purpose of the task in one sentence.",
        "Say how long the result should be and in what form.",
        "Treat results as drafts, never as a finished decision.",
        "Ask the supervising unit when in doubt.",
        "Record the sources you used in the file note.",
        "Ask the model open questions.",
    ],
    "link_texts": ["AI Act", "federal guideline", "General Data Protection Regulation"],
    "file_text": "checklist to print",
    "table": ("Task", "Suitable?", "Note"),
    "table_rows": [
        ("Drafting a reply", "yes", "always check it"),
        ("Issuing a decision", "no", "a person decides"),
        ("Summarising a text", "yes", "without personal data"),
        ("Establishing the law", "partly", "read the sources yourself"),
    ],
    "objectives": [
        "You explain when an AI tool helps and when it does not.",
        "You check a model's answer before passing it on.",
        "You protect personal data in your prompts.",
        "You know your administration's usage rules.",
        "You document the use of AI so others can follow it.",
    ],
    "question_stems": [
        "What do you do before passing on {obj}?",
        "Who is responsible for {obj}?",
        "Which detail does not belong in a prompt about {obj}?",
        "How do you spot a hallucination in {obj}?",
        "When may you use an AI tool for {obj}?",
        "What does the AI Act require when handling {obj}?",
        "How do you check the figures in {obj}?",
        "Which statement about {obj} is true?",
    ],
    "right": [
        "I check the content and sources myself.", "The responsibility stays with me.",
        "I remove names and file numbers.", "I compare with the original source.",
        "I record the use in the file note.",
    ],
    "wrong": [
        "I take the answer over unchanged.", "The model is liable for mistakes.",
        "I paste the whole file into the prompt.", "A fluent answer is always right.",
        "Checking is only needed for long texts.", "The chatbot knows every council decision.",
    ],
    "explain": "A language model produces plausible text but checks no facts; checking and responsibility stay with you.",
    "question_word": "Question",
}

LINKS = [
    "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
    "https://www.bsi.bund.de/",
    "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
]

OPTIONS_PER_QUESTION = 4


def sentence(rng, w):
    kind = rng.randrange(6)
    s, v, o = rng.choice(w["subjects"]), rng.choice(w["verbs"]), rng.choice(w["objects"])
    a, c, cl = rng.choice(w["adverbs"]), rng.choice(w["connectors"]), rng.choice(w["clauses"])
    if kind == 0:
        return f"{s} {v} {o} {a}, {c} {cl}."
    if kind == 1:
        return f"{rng.choice(w['openers'])} {s} {v} {o} **{a}**."
    if kind == 2:
        return f"{s} {v} *{o}*, {c} {cl}."
    if kind == 3:
        return f"{s} {v} {o}."
    if kind == 4:
        # "Weil …, prüft die Sachbearbeiterin …" / "Because …, the caseworker checks …"
        if w is DE:
            return f"{c.capitalize()} {cl}, {v} {lower_article(s)} {o} {a}."
        return f"{c.capitalize()} {cl}, {lower_article(s)} {v} {o} {a}."
    return f"{s} {v} {o} {a}."


def lower_article(subject):
    first, rest = subject.split(" ", 1)
    if first in ("Ein", "Eine", "Der", "Die", "Das", "Jede", "A", "The", "Every", "Your"):
        first = first.lower()
    return f"{first} {rest}"


def paragraph(rng, w, sentences):
    return " ".join(sentence(rng, w) for _ in range(sentences))


def words(text):
    return len(text.split())


def lesson(rng, w, target_words, with_file_link):
    """A lesson body: sections with paragraphs, lists, a table, links."""
    parts = [paragraph(rng, w, 4)]
    titles = rng.sample(w["section_titles"], len(w["section_titles"]))
    section = 0
    while sum(words(p) for p in parts) < target_words and section < len(titles):
        parts.append(f"## {titles[section]}")
        parts.append(paragraph(rng, w, rng.randint(4, 6)))
        if section % 3 == 0:
            items = rng.sample(w["list_items"], 4)
            parts.append("\n".join(f"- {item}" for item in items))
        elif section % 3 == 1:
            items = rng.sample(w["list_items"], 3)
            parts.append("\n".join(f"{n}. {item}" for n, item in enumerate(items, 1)))
        else:
            head = w["table"]
            rows = [f"| {' | '.join(head)} |", "|---|---|---|"]
            rows += [f"| {' | '.join(r)} |" for r in w["table_rows"]]
            parts.append("\n".join(rows))
        link = rng.randrange(len(LINKS))
        more = "Mehr dazu:" if w is DE else "More:"
        parts.append(
            paragraph(rng, w, rng.randint(3, 5))
            + f" {more} [{w['link_texts'][link]}]({LINKS[link]})."
        )
        section += 1
    if with_file_link:
        parts.append(f"[{w['file_text']}](../material/checkliste.txt)")
    return "\n\n".join(parts)


def quiz(rng_seed, w, pool, objects):
    """`pool` questions with 4 options each; every third question has two correct
    options. The key (which options are correct) depends only on the seed, so the German
    and English files agree."""
    key_rng = random.Random(rng_seed)
    text_rng = random.Random(rng_seed * 7 + (1 if w is DE else 2))
    out, key = ["## Quiz"], []
    for q in range(pool):
        correct_count = 2 if q % 3 == 2 else 1
        correct = sorted(key_rng.sample(range(OPTIONS_PER_QUESTION), correct_count))
        key.append(correct)
        stem = w["question_stems"][q % len(w["question_stems"])]
        obj = objects[q % len(objects)]
        # Question numbers keep the texts of one pool distinct.
        text = f"{stem.format(obj=obj)} ({w['question_word']} {q + 1})"
        if correct_count > 1:
            text += " (mehrere Antworten)" if w is DE else " (several answers)"
        rights = text_rng.sample(w["right"], correct_count)
        wrongs = text_rng.sample(w["wrong"], OPTIONS_PER_QUESTION - correct_count)
        lines = [f"### {text}"]
        for option in range(OPTIONS_PER_QUESTION):
            if option in correct:
                lines.append(f"- [x] {rights.pop()}")
            else:
                lines.append(f"- [ ] {wrongs.pop()}")
        lines.append("")
        lines.append(f"> {w['explain']}")
        out.append("\n".join(lines))
    return "\n\n".join(out), key


def module_file(rng, w, title, minutes, body, quiz_text):
    objectives = rng.sample(w["objectives"], 3)
    front = [
        "+++",
        f'title = "{title}"',
        f"minutes = {minutes}",
        "objectives = [",
        *[f'  "{o}",' for o in objectives],
        "]",
        "+++",
        "",
    ]
    text = "\n".join(front) + body + "\n"
    if quiz_text:
        text += "\n" + quiz_text + "\n"
    return text


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def write_course(dir_, course_id, order, title, summary, modules, words_per_lesson,
                 pool, per_attempt, seed, pass_percent=80):
    """Writes one course; returns {module_id: [[correct option indices] per question]}."""
    cdir = os.path.join(dir_, course_id)
    write(os.path.join(cdir, "course.toml"), "\n".join([
        f'id = "{course_id}"',
        'version = "2026.1"',
        'languages = ["de", "en"]',
        f"order = {order}",
        f"pass_percent = {pass_percent}",
        f"questions_per_attempt = {per_attempt}",
        "validity_months = 24",
        "",
        "[title]",
        f'de = "{title[0]}"',
        f'en = "{title[1]}"',
        "",
        "[summary]",
        f'de = "{summary[0]}"',
        f'en = "{summary[1]}"',
        "",
    ]))
    write(os.path.join(cdir, "material", "checkliste.txt"),
          "Checkliste / checklist\n- Quellen prüfen / check sources\n")
    keys = {}
    for m in range(modules):
        module_id = f"modul-{m + 1:02d}"
        stem = f"{m + 1:02d}-{module_id}"
        quiz_seed = seed * 1000 + m
        for lang, w in (("de", DE), ("en", EN)):
            rng = random.Random(quiz_seed * 10 + (1 if lang == "de" else 2))
            mtitle = (f"{title[0]}: Modul {m + 1}" if lang == "de"
                      else f"{title[1]}: module {m + 1}")
            body = lesson(rng, w, words_per_lesson, with_file_link=(m == 0))
            qtext, key = quiz(quiz_seed, w, pool, w["objects"]) if pool else ("", [])
            write(os.path.join(cdir, lang, f"{stem}.md"),
                  module_file(rng, w, mtitle, 8 + m % 5, body, qtext))
        keys[module_id] = key
    return keys


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    cat = sub.add_parser("catalog")
    cat.add_argument("dir")
    cat.add_argument("--courses", type=int, default=50)
    cat.add_argument("--modules", type=int, default=10)
    cat.add_argument("--words", type=int, default=1000)
    qz = sub.add_parser("quiz")
    qz.add_argument("dir")
    qz.add_argument("key")
    args = parser.parse_args()

    if args.what == "catalog":
        for c in range(args.courses):
            topic = TOPICS[c % len(TOPICS)]
            level = LEVELS[(c // len(TOPICS)) % len(LEVELS)]
            course_id = f"{topic[0]}-{level[0]}" + (f"-{c}" if c >= len(TOPICS) * len(LEVELS) else "")
            write_course(
                args.dir, course_id, c + 1,
                (f"{topic[1]} ({level[1]})", f"{topic[2]} ({level[2]})"),
                ("Ein Kurs für alle Beschäftigten der Verwaltung.",
                 "A course for everyone working in the administration."),
                args.modules, args.words, pool=10, per_attempt=5, seed=c + 1,
            )
        print(f"{args.courses} courses x {args.modules} modules x 2 languages in {args.dir}")
    else:
        keys = write_course(
            args.dir, "quiz-bench", 1,
            ("Quiz-Benchmark", "Quiz benchmark"),
            ("Ein kleiner Kurs für den Benchmark.", "A small course for the benchmark."),
            modules=2, words_per_lesson=300, pool=10, per_attempt=5, seed=4242,
        )
        with open(args.key, "w", encoding="utf-8") as f:
            json.dump({"course": "quiz-bench", "pass_percent": 80, "modules": keys}, f)
        print(f"quiz course in {args.dir}, answer key in {args.key}")


if __name__ == "__main__":
    main()
