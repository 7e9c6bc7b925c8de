"""Every word the packet prints, in English and Spanish.

Kept in one dict per language so a translator reviews one file, and a missing key
fails loudly in tests instead of leaving English in a Spanish packet.
"""

from __future__ import annotations

LANGUAGES = ("en", "es")

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Community conversation packet",
        "subtitle": "Results of {surveys} · {schools}",
        "generated": "Prepared on {date}",
        "purpose_h": "Why we are here",
        "purpose": (
            "Students and families told us how school feels to them. This packet shares what "
            "they said so we can make sense of it together and agree on next steps. It takes "
            "about ten minutes to read."
        ),
        "rules_h": "Ground rules",
        "rules": (
            "Listen to understand, not to answer.|Speak about your own experience.|"
            "Talk about patterns, not about people: nobody is identified here.|"
            "Every voice counts: students, families, teachers and partners.|"
            "What is shared in the room stays in the room."
        ),
        "headline_h": "Who answered",
        "respondents": "Respondents",
        "completed": "Completed the survey",
        "roster": "Invited",
        "response_rate": "Response rate",
        "declined": "Declined",
        "campaign": "Campaign",
        "school": "School",
        "grade": "Grade",
        "audience": "Audience",
        "group": "Group",
        "share": "Share",
        "total": "Total",
        "by_dimension": "Responses by {dimension}",
        "dim_role": "role",
        "dim_school": "school",
        "dim_grade": "grade",
        "dim_language": "language",
        "dim_campaign": "campaign",
        "role_student": "Students",
        "role_caregiver": "Caregivers",
        "role_unknown": "Not stated",
        "role_any": "Students and caregivers",
        "lang_en": "English",
        "lang_es": "Spanish",
        "domains_h": "Results by area",
        "domain": "Area",
        "score": "Average (1–5)",
        "pct_favorable": "% favorable",
        "alpha": "Reliability (alpha)",
        "not_enough": "not enough data",
        "items_count": "Questions",
        "domain_chart_caption": (
            "Percent of answers that were favorable in each area, students compared with "
            "caregivers. Longer bars are better."
        ),
        "items_h": "Questions from strongest to weakest",
        "items_caption": "Percent favorable for each question, strongest first.",
        "question": "Question",
        "n": "Answers",
        "mean": "Average",
        "gaps_h": "Where students and caregivers see things differently",
        "gaps_caption": (
            "Questions asked of both students and caregivers. A positive gap means students "
            "answered more favorably than caregivers."
        ),
        "gap": "Gap (points)",
        "students": "Students",
        "caregivers": "Caregivers",
        "no_gaps": "No question was asked of both students and caregivers with enough answers.",
        "themes_h": "What people wrote",
        "themes_caption": (
            "Themes in the written comments, with the share of people who wrote a comment that "
            "mentions each theme. Sentiment runs from −1 (negative) to +1 (positive) and is "
            "scored for English comments only."
        ),
        "theme": "Theme",
        "mentioned_by": "Mentioned by",
        "sentiment": "Sentiment",
        "quotes": "In their words",
        "removed": "[removed]",
        "not_scored": "not scored",
        "no_themes": "There were no written comments to summarize.",
        "themes_hidden": (
            "Written comments are not shown because fewer than {min_n} people responded."
        ),
        "aspirations_h": "Aspirations",
        "aspirations_caption": "What respondents said about their plans and hopes.",
        "choices_h": "Needs and other choices",
        "option": "Answer",
        "chosen_by": "Chosen by",
        "no_aspirations": "No aspiration questions were answered.",
        "waves_h": "Change since the last survey",
        "waves_caption": "Change in each area since the previous survey at the same school.",
        "previous": "Before",
        "current": "Now",
        "change": "Change",
        "no_waves": "This is the first survey at this school, so there is nothing to compare yet.",
        "prompts_h": "Data walk: questions for the room",
        "prompts_intro": (
            "In small mixed groups, stop at each finding and talk through its question. Write "
            "down what you notice before deciding what it means."
        ),
        "notice": "What do you notice?",
        "surprise": "What surprises you?",
        "missing": "What is missing?",
        "together": "What should we do together?",
        "privacy_h": "How we protect privacy",
        "method_h": "How the numbers are calculated",
        "method": (
            "Percent favorable is the share of answers in the top two of five options; for "
            "questions worded negatively, the bottom two. “Not sure” and skipped questions are "
            "left out. An area's average is worked out for each person from the questions in "
            "that area they answered, then averaged over people. Reliability (Cronbach's alpha) "
            "is shown where at least two questions and {alpha_min} complete answers allow; "
            "about 0.70 or more means the questions hang together."
        ),
        "notes_h": "Notes and next steps",
        "resources_h": "Local resources",
        "resources": (
            "Ask the facilitator for the school counselor's contact details and the list of "
            "community services shared at this meeting."
        ),
        "notes_lines": "Our notes:",
        "empty": "No one has answered this survey yet.",
        "prompt_strong": "“{question}”: {pct} of answers were favorable, the strongest result.",
        "prompt_weak": "“{question}”: only {pct} of answers were favorable, the weakest result.",
        "prompt_gap": (
            "“{question}”: {student} of students and {caregiver} of caregivers answered "
            "favorably, a gap of {gap} points."
        ),
        "prompt_change": "{domain} changed by {change} points since the last survey.",
        "prompt_hidden": (
            "Some groups ({groups}) are not shown to protect privacy, because a group had fewer "
            "than {min_n} responses. Whose voices are missing, and how could we hear them?"
        ),
        "prompt_rate": "{rate} of those invited answered.",
        "prompt_theme": "{share} of the people who wrote a comment mentioned “{theme}”.",
        "prompt_domain_low": "{domain} had the lowest average of all areas ({score} out of 5).",
        "prompt_missing_default": (
            "Which groups or topics are not in this packet at all, and who else should be here?"
        ),
        "yes": "Yes",
        "no": "No",
    },
    "es": {
        "title": "Cuaderno para la conversación comunitaria",
        "subtitle": "Resultados de {surveys} · {schools}",
        "generated": "Preparado el {date}",
        "purpose_h": "Por qué estamos aquí",
        "purpose": (
            "Estudiantes y familias nos contaron cómo viven la escuela. Este cuaderno comparte "
            "lo que dijeron para que lo entendamos juntos y acordemos los próximos pasos. Se lee "
            "en unos diez minutos."
        ),
        "rules_h": "Acuerdos de convivencia",
        "rules": (
            "Escuchar para entender, no para responder.|Hablar desde la propia experiencia.|"
            "Hablar de tendencias, no de personas: aquí nadie es identificado.|"
            "Todas las voces cuentan: estudiantes, familias, docentes y aliados.|"
            "Lo que se comparte en la sala se queda en la sala."
        ),
        "headline_h": "Quiénes respondieron",
        "respondents": "Personas que respondieron",
        "completed": "Completaron la encuesta",
        "roster": "Invitadas",
        "response_rate": "Tasa de respuesta",
        "declined": "No aceptaron",
        "campaign": "Campaña",
        "school": "Escuela",
        "grade": "Grado",
        "audience": "Público",
        "group": "Grupo",
        "share": "Porcentaje",
        "total": "Total",
        "by_dimension": "Respuestas por {dimension}",
        "dim_role": "rol",
        "dim_school": "escuela",
        "dim_grade": "grado",
        "dim_language": "idioma",
        "dim_campaign": "campaña",
        "role_student": "Estudiantes",
        "role_caregiver": "Familias",
        "role_unknown": "Sin indicar",
        "role_any": "Estudiantes y familias",
        "lang_en": "Inglés",
        "lang_es": "Español",
        "domains_h": "Resultados por área",
        "domain": "Área",
        "score": "Promedio (1–5)",
        "pct_favorable": "% favorable",
        "alpha": "Confiabilidad (alfa)",
        "not_enough": "datos insuficientes",
        "items_count": "Preguntas",
        "domain_chart_caption": (
            "Porcentaje de respuestas favorables en cada área, comparando estudiantes y "
            "familias. Las barras más largas son mejores."
        ),
        "items_h": "Preguntas de la más fuerte a la más débil",
        "items_caption": "Porcentaje favorable de cada pregunta, primero la más fuerte.",
        "question": "Pregunta",
        "n": "Respuestas",
        "mean": "Promedio",
        "gaps_h": "Donde estudiantes y familias ven las cosas distinto",
        "gaps_caption": (
            "Preguntas hechas tanto a estudiantes como a familias. Una diferencia positiva "
            "significa que los estudiantes respondieron de forma más favorable."
        ),
        "gap": "Diferencia (puntos)",
        "students": "Estudiantes",
        "caregivers": "Familias",
        "no_gaps": (
            "Ninguna pregunta se hizo a estudiantes y familias con suficientes respuestas."
        ),
        "themes_h": "Lo que la gente escribió",
        "themes_caption": (
            "Temas de los comentarios escritos, con el porcentaje de personas que escribieron "
            "un comentario que menciona cada tema. El sentimiento va de −1 (negativo) a +1 "
            "(positivo) y solo se calcula para comentarios en inglés."
        ),
        "theme": "Tema",
        "mentioned_by": "Mencionado por",
        "sentiment": "Sentimiento",
        "quotes": "En sus palabras",
        "removed": "[eliminado]",
        "not_scored": "sin calcular",
        "no_themes": "No hubo comentarios escritos para resumir.",
        "themes_hidden": (
            "Los comentarios escritos no se muestran porque respondieron menos de {min_n} personas."
        ),
        "aspirations_h": "Aspiraciones",
        "aspirations_caption": "Lo que dijeron sobre sus planes y esperanzas.",
        "choices_h": "Necesidades y otras opciones",
        "option": "Respuesta",
        "chosen_by": "Elegido por",
        "no_aspirations": "Nadie respondió preguntas sobre aspiraciones.",
        "waves_h": "Cambio desde la última encuesta",
        "waves_caption": "Cambio en cada área desde la encuesta anterior en la misma escuela.",
        "previous": "Antes",
        "current": "Ahora",
        "change": "Cambio",
        "no_waves": (
            "Es la primera encuesta en esta escuela, así que todavía no hay con qué comparar."
        ),
        "prompts_h": "Recorrido de datos: preguntas para la sala",
        "prompts_intro": (
            "En grupos pequeños y mixtos, deténganse en cada hallazgo y conversen sobre su "
            "pregunta. Anoten lo que observan antes de decidir qué significa."
        ),
        "notice": "¿Qué observan?",
        "surprise": "¿Qué les sorprende?",
        "missing": "¿Qué falta?",
        "together": "¿Qué debemos hacer juntos?",
        "privacy_h": "Cómo protegemos la privacidad",
        "method_h": "Cómo se calculan los números",
        "method": (
            "El porcentaje favorable es la proporción de respuestas en las dos opciones más "
            "altas de cinco; en preguntas redactadas en negativo, las dos más bajas. “No sé” y "
            "las preguntas omitidas no se cuentan. El promedio de un área se calcula para cada "
            "persona con las preguntas de esa área que respondió y luego se promedia entre "
            "personas. La confiabilidad (alfa de Cronbach) se muestra cuando hay al menos dos "
            "preguntas y {alpha_min} respuestas completas; 0,70 o más indica que las preguntas "
            "miden lo mismo."
        ),
        "notes_h": "Notas y próximos pasos",
        "resources_h": "Recursos locales",
        "resources": (
            "Pida a la persona facilitadora los datos de contacto de la consejería escolar y la "
            "lista de servicios comunitarios compartida en esta reunión."
        ),
        "notes_lines": "Nuestras notas:",
        "empty": "Nadie ha respondido esta encuesta todavía.",
        "prompt_strong": (
            "«{question}»: {pct} de las respuestas fueron favorables, el mejor resultado."
        ),
        "prompt_weak": (
            "«{question}»: solo {pct} de las respuestas fueron favorables, el resultado más bajo."
        ),
        "prompt_gap": (
            "«{question}»: {student} de los estudiantes y {caregiver} de las familias "
            "respondieron de forma favorable, una diferencia de {gap} puntos."
        ),
        "prompt_change": "{domain} cambió {change} puntos desde la última encuesta.",
        "prompt_hidden": (
            "Algunos grupos ({groups}) no se muestran para proteger la privacidad, porque un "
            "grupo tuvo menos de {min_n} respuestas. ¿Qué voces faltan y cómo podemos "
            "escucharlas?"
        ),
        "prompt_rate": "Respondió {rate} de las personas invitadas.",
        "prompt_theme": "{share} de quienes escribieron un comentario mencionaron «{theme}».",
        "prompt_domain_low": (
            "{domain} tuvo el promedio más bajo de todas las áreas ({score} de 5)."
        ),
        "prompt_missing_default": (
            "¿Qué grupos o temas no aparecen en este cuaderno y quién más debería estar aquí?"
        ),
        "yes": "Sí",
        "no": "No",
    },
}

DOMAINS: dict[str, dict[str, str]] = {
    "en": {
        "belonging": "Belonging",
        "consistency": "Consistency",
        "coherence": "Coherence",
        "aspiration": "Aspirations",
        "aspirations": "Aspirations",
        "needs": "Needs",
        "services": "Services",
        "safety": "Safety",
        "voice": "Voice",
        "communication": "Communication",
        "about": "About you",
        "about_you": "About you",
        "barriers": "What gets in the way",
        "support": "Who helps",
        "invitation": "The community conversation",
    },
    "es": {
        "belonging": "Pertenencia",
        "consistency": "Constancia",
        "coherence": "Coherencia",
        "aspiration": "Aspiraciones",
        "aspirations": "Aspiraciones",
        "needs": "Necesidades",
        "services": "Servicios",
        "safety": "Seguridad",
        "voice": "Voz",
        "communication": "Comunicación",
        "about": "Sobre usted",
        "about_you": "Sobre usted",
        "barriers": "Lo que dificulta participar",
        "support": "Quién ayuda",
        "invitation": "La conversación comunitaria",
    },
}


def t(key: str, language: str, **params: object) -> str:
    """The string `key` in `language` (English if the language is unknown), formatted."""
    table = STRINGS.get(language, STRINGS["en"])
    text = table[key]
    return text.format(**params) if params else text


def domain_label(domain: str, language: str) -> str:
    """A readable name for a domain id; unknown ids are shown capitalized, never dropped."""
    known = DOMAINS.get(language, DOMAINS["en"])
    return known.get(domain, domain.replace("_", " ").capitalize())


def group_label(dimension: str, group: str, language: str) -> str:
    """How a group value reads in the packet (roles and languages are translated)."""
    if dimension == "role":
        key = f"role_{group}"
        return t(key, language) if key in STRINGS["en"] else group
    if dimension == "language":
        key = f"lang_{group}"
        return t(key, language) if key in STRINGS["en"] else group
    return group


def percent(value: float, language: str, digits: int = 0) -> str:
    """A percentage the way readers of `language` write it (comma decimals in Spanish)."""
    text = f"{value:.{digits}f}"
    if language == "es":
        text = text.replace(".", ",")
    return f"{text}\u00a0%" if language == "es" else f"{text}%"


def number(value: float, language: str, digits: int = 1) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language == "es" else text


def integer(value: float, language: str) -> str:
    """A count with thousands separators: 10,000 in English, 10.000 in Spanish."""
    text = f"{int(value):,}"
    return text.replace(",", ".") if language == "es" else text
