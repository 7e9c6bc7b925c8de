"""Text benchmark: summarize_themes against the naive per-answer TextBlob loop.

Generates N open answers (default 100,000) from English and Spanish templates with slot
fillers, a fixed seed and the mix a real campaign shows: many short repeated answers, longer
composed ones, a few names and phone numbers, 1% safeguarding flags. Times both paths on the
same frame, checks they give the same table and prints the speedup.

    .venv/bin/python -m bench.bench_text            # 100,000 answers
    .venv/bin/python -m bench.bench_text --n 10000  # quicker
    .venv/bin/python -m bench.bench_text --no-naive # only the optimized paths
    .venv/bin/python -m bench.bench_text --distinct # every answer distinct (worst case)
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from functools import partial

import pandas as pd

from analysis.themes import clear_caches, summarize_themes
from bench.naive_text import naive_summarize_themes

SHORT_EN = [
    "More tutoring",
    "nothing",
    "n/a",
    "The buses",
    "Safer hallways",
    "more clubs",
    "Better communication",
    "Homework help",
    "Free lunch for everyone",
    "Internet at home",
    "Childcare after school",
    "More sports",
    "Help with college applications",
    "Jobs for teens",
    "Mental health support",
    "Nothing, it's great",
    "More art and music",
    "Trade school info",
]
SHORT_ES = [
    "Más tutorías",
    "Nada",
    "El autobús",
    "Más seguridad",
    "Más clubes",
    "Mejor comunicación",
    "Ayuda con la tarea",
    "Comida gratis",
    "Internet en casa",
    "Guardería",
    "Más deportes",
    "Becas para la universidad",
    "Trabajo para jóvenes",
    "Apoyo de salud mental",
]
EN_TEMPLATES = [
    "{who} {feel} the {thing}.",
    "I wish the school had {want}.",
    "The {thing} is {quality} but we need {want}.",
    "My {kid} {feel} {person} because {reason}.",
    "Please {ask} about {topic}.",
    "{who} would like {want} {when}.",
    "It is hard to {hard} {when}.",
    "We {feel} {person} and the {thing}.",
]
ES_TEMPLATES = [
    "{who} {feel} {thing}.",
    "Ojalá la escuela tuviera {want}.",
    "{thing_cap} es {quality} pero necesitamos {want}.",
    "Mi {kid} {feel} {person} porque {reason}.",
    "Por favor {ask} sobre {topic}.",
    "Es difícil {hard} {when}.",
]
EN = {
    "who": ["My son", "My daughter", "Our family", "Many students", "I", "My kids", "We"],
    "feel": [
        "loves",
        "really likes",
        "is unhappy with",
        "worries about",
        "appreciates",
        "is scared of",
        "enjoys",
        "hates",
    ],
    "thing": [
        "tutoring program",
        "school bus",
        "soccer team",
        "art club",
        "lunch menu",
        "counselor's office",
        "math class",
        "robotics club",
        "library",
        "front office",
        "field trips",
        "homework load",
        "after-school program",
        "hallways",
    ],
    "quality": [
        "great",
        "okay",
        "too crowded",
        "very helpful",
        "always late",
        "not safe",
        "excellent",
        "confusing",
    ],
    "want": [
        "more tutors",
        "a better bus schedule",
        "free breakfast",
        "more sports teams",
        "career fairs",
        "college visits",
        "a daycare for younger siblings",
        "laptops that work",
        "more counselors",
        "welding classes",
        "parent meetings in Spanish",
        "a mentoring program",
        "more music lessons",
        "healthy food",
    ],
    "kid": ["son", "daughter", "child", "oldest", "youngest"],
    "person": [
        "Ms. Lopez",
        "Mr. Smith",
        "the teachers",
        "Coach Rivera",
        "the principal",
        "her friends",
        "Jaden",
        "the bus driver",
        "the nurse",
    ],
    "reason": [
        "they listen",
        "he feels left out",
        "she got bullied",
        "the internet is slow",
        "we can't afford the fees",
        "the classes are hard",
        "they are kind",
        "he wants to be an electrician",
        "she wants to go to college",
    ],
    "ask": [
        "send more updates",
        "call me at 555-201-3344",
        "email me at mom@example.com",
        "tell us more",
        "translate the newsletters",
        "answer our messages",
    ],
    "topic": [
        "scholarships",
        "the bus routes",
        "bullying",
        "internships",
        "summer camp",
        "the lunch program",
        "mental health",
        "grades",
    ],
    "when": [
        "after school",
        "on weekends",
        "in the mornings",
        "during winter",
        "this year",
        "next semester",
    ],
    "hard": [
        "get to school",
        "find childcare",
        "pay for food",
        "help with homework",
        "get online",
        "find a job",
    ],
}
ES = {
    "who": ["Mi hijo", "Mi hija", "Nuestra familia", "Muchos estudiantes", "Yo", "Mis hijos"],
    "feel": [
        "quiere mucho a",
        "está contento con",
        "se preocupa por",
        "tiene miedo de",
        "disfruta",
        "no le gusta",
    ],
    "thing": [
        "la tutoría",
        "el autobús",
        "el equipo de fútbol",
        "la clase de arte",
        "la comida",
        "la consejera",
        "la clase de matemáticas",
        "la biblioteca",
    ],
    "thing_cap": [
        "La tutoría",
        "El autobús",
        "El equipo de fútbol",
        "La comida",
        "La comunicación",
        "La biblioteca",
    ],
    "quality": ["muy buena", "regular", "peligrosa", "excelente", "confusa", "tarde"],
    "want": [
        "más tutores",
        "un mejor horario de autobús",
        "desayuno gratis",
        "más deportes",
        "ferias de empleo",
        "visitas a la universidad",
        "guardería para los hermanitos",
        "computadoras que funcionen",
        "más consejeros",
        "clases de soldadura",
        "reuniones en español",
    ],
    "kid": ["hijo", "hija", "niño", "niña"],
    "person": [
        "a la maestra Gómez",
        "al profe Juan",
        "a los maestros",
        "a sus amigos",
        "al director",
        "a Sofía",
    ],
    "reason": [
        "nos escuchan",
        "se siente excluido",
        "sufrió acoso",
        "el internet es lento",
        "no podemos pagar",
        "las clases son difíciles",
        "quiere ser electricista",
        "quiere ir a la universidad",
    ],
    "ask": [
        "manden más avisos",
        "llámenme al 555-201-9988",
        "escríbanme a papa@ejemplo.com",
        "traduzcan los boletines",
    ],
    "topic": [
        "becas",
        "las rutas del autobús",
        "el acoso",
        "empleos de verano",
        "la salud mental",
        "las calificaciones",
    ],
    "when": ["después de clases", "los fines de semana", "en las mañanas", "este año"],
    "hard": [
        "llegar a la escuela",
        "encontrar guardería",
        "pagar la comida",
        "ayudar con la tarea",
        "conectarse a internet",
        "encontrar trabajo",
    ],
}


def _compose(rng: random.Random, templates: list[str], slots: dict[str, list[str]]) -> str:
    sentences = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        template = rng.choice(templates)
        sentences.append(template.format(**{k: rng.choice(v) for k, v in slots.items()}))
    return " ".join(sentences)


def generate_texts(n: int = 100_000, *, respondents: int = 10_000, seed: int = 7) -> pd.DataFrame:
    """A deterministic frame in the `summarize_themes` input shape."""
    rng = random.Random(seed)
    rows = []
    for index in range(n):
        respondent = index % respondents
        spanish = respondent % 10 < 3
        if rng.random() < 0.3:
            text = rng.choice(SHORT_ES if spanish else SHORT_EN)
        elif spanish:
            text = _compose(rng, ES_TEMPLATES, ES)
        else:
            text = _compose(rng, EN_TEMPLATES, EN)
        rows.append(
            {
                "respondent_id": f"r{respondent:05d}",
                "question_id": f"open_{index // respondents}",
                "text": text,
                "language": "es" if spanish else "en",
                "flagged": rng.random() < 0.01,
            }
        )
    return pd.DataFrame(rows)


def _timed(label: str, function, texts: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Run once from cold caches; print wall and CPU seconds (CPU time is the fairer figure
    on a shared box)."""
    clear_caches()
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:>24}: {wall:7.2f} s wall, {cpu:7.2f} s CPU in this process")
    return result, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of open answers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-naive", action="store_true", help="skip the slow baseline (and the equality check)"
    )
    parser.add_argument(
        "--distinct", action="store_true", help="give every answer a sentence of its own"
    )
    args = parser.parse_args(argv)
    texts = generate_texts(args.n, respondents=max(1, args.n // 10), seed=args.seed)
    if args.distinct:
        texts["text"] = [f"{t} Note {i}." for i, t in enumerate(texts["text"])]
    print(f"answers: {len(texts):,}, distinct texts: {texts['text'].nunique():,}")
    one, fast = _timed("summarize_themes", summarize_themes, texts)
    two, fast_two = _timed(
        "summarize_themes workers=2", partial(summarize_themes, workers=2), texts
    )
    pd.testing.assert_frame_equal(one, two)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"themes: {len(one)}; peak memory so far: {peak:.0f} MB")
    if args.no_naive:
        return 0
    naive, slow = _timed("naive per-answer loop", naive_summarize_themes, texts)
    pd.testing.assert_frame_equal(one, naive, check_exact=False, rtol=1e-12, atol=1e-12)
    print("results equal to the naive loop: yes")
    print(f"speedup: {slow / fast:.1f}x (1 process), {slow / fast_two:.1f}x (2 processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
