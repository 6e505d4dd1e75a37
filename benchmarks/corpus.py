"""The words of the generated workspace: brands, people, and what the public and the aliases say,
in French and in English."""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# (handle, display name, language, UTC offset of the team's working day, signature kind)
BRANDS = (
    ("@bellehelene", "Belle Hélène", "fr", 1, "none"),
    ("@acmehelp", "Acme Support", "en", 0, "initials"),
    ("@maisoncadet", "Maison Cadet", "fr", 1, "none"),
    ("@northwindco", "Northwind", "en", -5, "initials"),
    ("@veloquai", "Vélo Quai", "fr", 1, "initials"),
    ("@brightbank", "Bright Bank", "en", 0, "initials"),
    ("@lapetitelaine", "La Petite Laine", "fr", 1, "none"),
    ("@harbourfoods", "Harbour Foods", "en", 0, "none"),
    ("@trainsdusud", "Trains du Sud", "fr", 1, "initials"),
    ("@pixelparcel", "Pixel Parcel", "en", -5, "initials"),
    ("@opticlair", "Opticlair", "fr", 1, "none"),
    ("@greenkettle", "Green Kettle", "en", 0, "none"),
    ("@fromagerieluc", "Fromagerie Luc", "fr", 1, "none"),
    ("@skylinegyms", "Skyline Gyms", "en", -5, "initials"),
    ("@mutuelleazur", "Mutuelle Azur", "fr", 1, "initials"),
    ("@quillbooks", "Quill Books", "en", 0, "none"),
    ("@cafesolene", "Café Solène", "fr", 1, "none"),
    ("@roverrentals", "Rover Rentals", "en", -5, "initials"),
    ("@energiesmoulin", "Énergies Moulin", "fr", 1, "initials"),
    ("@tidewaterair", "Tidewater Air", "en", 0, "initials"),
)

FIRST = (  # noqa: SIM905
    "Léa Hugo Chloé Louis Inès Jules Manon Nathan Camille Théo Sarah Lucas Emma Noah Zoé Adam "
    "Olivia Liam Grace Oscar Amelia Harry Isla Jack Ava Leo Mia Ethan Sofia James Ruby Arthur"
).split()
LAST = (  # noqa: SIM905
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefebvre Michel Garcia Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel "
    "Wright Walker"
).split()
CITIES = ("Lyon", "Paris", "Nantes", "Lille", "Leeds", "Bristol", "Boston", "Denver", "Toulouse")
THINGS = {
    "fr": ("tarte", "colis", "abonnement", "facture", "carte", "vélo", "billet", "contrat"),
    "en": ("parcel", "router", "order", "invoice", "card", "bike", "ticket", "subscription"),
}

_ASKS = {
    "fr": (
        "bonjour, ma commande {n} n'est toujours pas arrivée, vous pouvez vérifier ?",
        "j'attends mon remboursement depuis {d} jours pour la commande {n}…",
        "votre {t} est une merveille, merci à toute l'équipe !",
        "la boutique de {c} est ouverte dimanche ?",
        "impossible de me connecter à mon compte depuis ce matin",
        "{d} heures d'attente au téléphone, c'est inadmissible",
        "vous livrez à {c} ? je ne trouve pas l'info sur le site",
        "le code promo ne marche pas sur mon {t}",
        "mon {t} est arrivé abîmé, je fais comment pour le retour ?",
        "toujours aucune réponse à mon mail du {d}, quelqu'un lit les messages ?",
    ),
    "en": (
        "hi, my order {n} still hasn't arrived, can you check?",
        "still waiting for my refund on order {n}, it's been {d} days",
        "love the new {t}, thanks team!",
        "is the {c} store open on Sunday?",
        "can't log in to my account since this morning",
        "{d} hours on hold, this is ridiculous",
        "do you deliver to {c}? can't find it on the site",
        "the promo code doesn't work for my {t}",
        "my {t} arrived damaged, how do I send it back?",
        "no answer to my email from the {d}th, is anyone reading these?",
    ),
}
_REPLIES = {
    "fr": (
        "Bonjour {f}, nous regardons votre commande {n} tout de suite et revenons vers vous.",
        "Bonjour {f}, le remboursement de la commande {n} est lancé : comptez {d} jours ouvrés.",
        "Merci {f} ! Toute l'équipe est ravie que votre {t} vous plaise.",
        "Bonjour {f}, la boutique de {c} ouvre le dimanche de 9 h à 13 h.",
        "Désolés {f} : un correctif est en cours, merci de réessayer dans une heure.",
        "Bonjour {f}, nous livrons bien à {c}, en {d} jours en moyenne.",
        "Bonjour {f}, écrivez-nous en message privé avec votre numéro de {t}, on s'en occupe.",
        "Nous sommes navrés pour l'attente, {f}. Un conseiller vous rappelle avant {d} h.",
    ),
    "en": (
        "Hi {f}, we're looking into order {n} now and will come back to you today.",
        "Hi {f}, the refund for order {n} is on its way: allow {d} working days.",
        "Thanks {f}! The whole team is glad you like the {t}.",
        "Hi {f}, the {c} store opens on Sundays from 9am to 1pm.",
        "Sorry {f}: a fix is rolling out, please try again in an hour.",
        "Hi {f}, yes we deliver to {c}, usually within {d} days.",
        "Hi {f}, please send us a DM with your {t} number and we'll sort it out.",
        "Sorry for the wait, {f}. Someone from the team will call you back before {d}pm.",
    ),
}
_NEWS = {
    "fr": (
        "Nouveau ce mois-ci : notre {t} arrive dans toutes les boutiques, dont {c}.",
        "Petit rappel : le service client répond ici du lundi au samedi, de 8 h à 22 h.",
        "Maintenance prévue la nuit du {d} : le site sera indisponible une heure.",
    ),
    "en": (
        "New this month: our {t} is now in every store, including {c}.",
        "A reminder: we answer here Monday to Saturday, 8am to 10pm.",
        "Planned maintenance on the night of the {d}th: the site will be down for an hour.",
    ),
}
MOODS = {
    "fr": ("calme", "chargé en fin de journée", "tendu après la panne", "plutôt positif"),
    "en": ("quiet", "busy in the evening", "tense after the outage", "mostly positive"),
}


@dataclass(frozen=True)
class Person:
    name: str
    display_name: str
    initials: str


def person(number: int) -> Person:
    """Operator `number` (from 1): a login, a display name and initials, all distinct."""
    first = FIRST[(number - 1) % len(FIRST)]
    last = LAST[(number * 7) % len(LAST)]
    login = _ascii(first).lower() + ("" if number <= len(FIRST) else str(number))
    return Person(login, f"{first} {last}", (first[0] + last[0]).upper())


def contact(alias: int, number: int) -> str:
    """A member of the public, as an X handle: the same number always gives the same person."""
    first = _FIRST_ASCII[number % len(FIRST)]
    last = _LAST_ASCII[(number // len(FIRST)) % len(LAST)]
    return f"@{first}_{last}{number // (len(FIRST) * len(LAST))}{_LETTERS[alias % 20]}"


def first_name(handle: str) -> str:
    return handle[1:].split("_", 1)[0].capitalize()


def inbound(rng: random.Random, language: str, handle: str) -> str:
    return f"{handle} " + _fill(rng.random, _pick(rng.random, _ASKS[language]), language)


def reply(rng: random.Random, language: str, contact_handle: str) -> str:
    text = _pick(rng.random, _REPLIES[language])
    return _fill(rng.random, text.replace("{f}", first_name(contact_handle)), language)


def news(rng: random.Random, language: str) -> str:
    return _fill(rng.random, _pick(rng.random, _NEWS[language]), language)


def _pick(draw: Callable[[], float], choices: Sequence[str]) -> str:
    # random.choice costs several times more, and this runs millions of times per build.
    return choices[int(draw() * len(choices))]


def _fill(draw: Callable[[], float], text: str, language: str) -> str:
    return text.format(
        n=10_000 + int(draw() * 89_999),
        d=2 + int(draw() * 26),
        t=_pick(draw, THINGS[language]),
        c=_pick(draw, CITIES),
    )


def _ascii(word: str) -> str:
    return word.translate(_PLAIN).replace("É", "E")


_PLAIN = str.maketrans("éèêëïîôöàâç", "eeeeiiooaac")
_FIRST_ASCII = [_ascii(name).lower() for name in FIRST]
_LAST_ASCII = [_ascii(name).lower() for name in LAST]
_LETTERS = "abcdefghijklmnopqrst"
