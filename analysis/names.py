"""Bundled name lists for de-identification: common US first names and Hispanic surnames.

No package in reach fits: `names-dataset` loads hundreds of megabytes of every country's
names at import, far more than a survey packet may spend, and nothing smaller is maintained.
These lists are short on purpose: they only have to catch a name in a place where nothing
else gives it away (lower case, no title, "ask jaden"). A title, a role word or a capital
letter in mid-sentence already catches every other name, listed or not.

All entries are folded (lower case, no accents). `AMBIGUOUS` holds names that are also
everyday English or Spanish words ("will", "grace", "may", "rosa", "flores"): those count as
names only with a capital letter or right after a title or role word.
"""

from __future__ import annotations

_FIRST_TEXT = """
    aaliyah aaron abigail adam adrian adriana aiden alan alejandra alejandro alex alexa
    alexander alexis alicia alma alyssa amanda amber amelia amir amy ana andrea andres andrew
    angel angela angelica anna anthony antonio ariana ashley austin ava axel barbara benjamin
    betty bianca brandon brayden brenda brian brianna brittany bryan caleb camila carla carlos
    carmen carolina carter catalina cesar charles charlotte chloe christian christopher claudia
    cristian daniel daniela darius david deandre deja delia demetrius denise deshawn diana diego
    dominic dylan eduardo elena eli elijah elizabeth ella emily emma eric erick esmeralda
    esteban ethan evelyn fatima felipe fernanda fernando francisco gabriel gabriela gael
    genesis gerardo giovanni gloria guadalupe gustavo hailey hannah hector hugo ian imani isaac
    isabel isabella isaiah ismael ivan jackson jacob jada jaden jadyn jahmir jalen jamal james
    jamie jasmine jason javier jayden jaylen jazmin jennifer jeremiah jesse jessica jesus
    jimena joanna jonathan jorge jose josefina joseph joshua josue juan juana julia julian
    juliana justin kayla kaylee keisha kenia kevin keyshawn kimberly kyle kiara lamar laquisha
    latoya laura leah leonardo leticia liam lilian liliana lily linda lisa logan lorena lucas
    lucia luis luz madison maria mariana mario marisol marta martin mason mateo matthew
    mauricio maya megan melanie melissa mia michael michelle miguel monica nadia natalia nathan
    nayeli nicole noah noemi olivia omar oscar pablo patricia paula pedro rafael ramon raul
    rebecca ricardo roberto rodrigo rosario ruben samantha samuel santiago sara sarah sebastian
    sergio shanice sofia sophia stephanie tamika tanisha tatiana teresa thomas tiana tyler
    tyrone valentina valeria vanessa veronica victoria william xavier ximena yahir yesenia
    yolanda yuliana zoe
    """
_SURNAME_TEXT = """
    acosta aguilar aguirre alvarado alvarez avila ayala barrera beltran benitez cabrera
    calderon camacho cardenas carrillo castaneda castillo castro cervantes chavez contreras
    cortes cortez cruz delgado diaz dominguez espinoza estrada fernandez figueroa flores
    fuentes gallegos garcia garza gomez gonzales gonzalez guerrero gutierrez guzman hernandez
    herrera ibarra jimenez juarez lara lopez lozano luna maldonado marquez martinez medina
    mejia mendez mendoza meza miranda molina morales moreno munoz navarro nunez ochoa orozco
    ortega ortiz padilla pacheco pena perez ramirez ramos reyes rios rivas rivera rodriguez
    rojas romero rosales rosas ruiz salazar salinas sanchez sandoval santiago santos serrano
    silva solis soto suarez torres trujillo valdez valencia vargas vasquez vazquez vega
    velasquez velazquez villa villanueva zamora
    smith johnson williams brown jones miller davis wilson anderson taylor thomas moore
    jackson martin thompson white harris clark lewis robinson walker young allen wright
    scott nguyen hill green adams baker nelson campbell mitchell roberts carter phillips
    evans turner parker collins edwards stewart morris murphy cook rogers morgan peterson
    cooper reed bailey bell kelly howard ward cox richardson wood watson brooks bennett gray
    james hughes price sanders myers long ross foster patel kim tran washington jefferson
    """
# Names that are also common words in English or Spanish: only a capital or a title makes
# them names ("my son will go" keeps "will"; "la casa de campos" keeps "campos").
_AMBIGUOUS_TEXT = """
    will grace may mark bill rose faith hope joy june april august art sue pat jack dawn
    summer autumn chase hunter rich frank sky river star max ivy penny ray rob don gene hunter
    angel amber brook brooks bell cook long gray green white young hill wood price ward reed
    ross carter martin james thomas jackson moore parker turner bailey foster kelly howard
    luz rosa rosario luna cruz flores rosas rios vega santos paz leon mora soto villa pena
    moreno delgado blanco castillo serrano campos fuentes medina lara silva rivas valencia
    salinas santiago rojas ramos reyes guerrero angel esperanza dolores mercedes
    ella victoria christian lily jasmine gloria linda alma diana genesis deja kenia cortes
    barrera romero brown washington jefferson mason baker
    """
FIRST_NAMES = frozenset(_FIRST_TEXT.split())
SURNAMES = frozenset(_SURNAME_TEXT.split())
AMBIGUOUS = frozenset(_AMBIGUOUS_TEXT.split())
ALL_NAMES = FIRST_NAMES | SURNAMES | AMBIGUOUS
# Found even in lower case and with no title: listed and never an everyday word.
UNAMBIGUOUS = ALL_NAMES - AMBIGUOUS


def is_listed_name(folded: str) -> bool:
    """A folded word that is a listed first name or surname (ambiguous ones included)."""
    return folded in ALL_NAMES


def is_unambiguous_name(folded: str) -> bool:
    """A folded word that is a listed name and never an everyday English or Spanish word."""
    return folded in UNAMBIGUOUS
