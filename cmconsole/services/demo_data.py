"""The demo workspace's people, aliases and public: who they are and what they say."""

from dataclasses import dataclass

from cmconsole.domain.model import Role, SignatureKind


@dataclass(frozen=True)
class DemoAccount:
    name: str
    display_name: str
    passphrase: str
    role: Role


@dataclass(frozen=True)
class DemoAlias:
    handle: str
    display_name: str
    language: str
    signature: SignatureKind
    about: str
    time_zone: str
    colour: str  # what every screen where one writes as it wears


ACCOUNTS = (
    DemoAccount("lea", "Léa Martin", "lead-demo-pass", Role.LEAD),
    DemoAccount("anna", "Anna Bell", "anna-demo-pass", Role.OPERATOR),
    DemoAccount("omar", "Omar Haddad", "omar-demo-pass", Role.OPERATOR),
    DemoAccount("theo", "Théo Dubois", "theo-demo-pass", Role.TRAINEE),
)

ALIASES = (
    DemoAlias(
        "@bellehelene",
        "Belle Hélène",
        "fr",
        SignatureKind.NONE,
        "a pastry brand; speaks as « nous », says « vous »",
        "Europe/Paris",
        "#d4537e",
    ),
    DemoAlias(
        "@acmehelp",
        "Acme Support",
        "en",
        SignatureKind.INITIALS,
        "an English support desk; signs replies with initials (^AB)",
        "Europe/London",
        "#3b82c4",
    ),
)

# (fan handle, text) pairs, by alias handle: the history the demo starts with.
HISTORY = {
    "@bellehelene": (
        ("@camille_b", "@bellehelene Vos éclairs au café sont revenus ? Je les cherche partout !"),
        ("@jules75", "@bellehelene Commande reçue abîmée, la boîte était écrasée…"),
        ("@marie.patisse", "@bellehelene Bravo pour la nouvelle tarte aux poires, un délice."),
    ),
    "@acmehelp": (
        ("@dev_sam", "@acmehelp My order #4411 still says 'processing' after 5 days."),
        ("@kim_r", "@acmehelp Is the API down? Getting 502s since noon."),
        ("@pat_o", "@acmehelp Thanks for the quick fix yesterday!"),
    ),
}

# Conversations from before the demo starts, answered and published: what a trainee studies and
# practises on. (alias handle, fan, what they wrote, who answered, the reply). Each alias's are
# answered by the one who answered its history below, so the others still meet its guide first.
EARLIER = (
    (
        "@bellehelene",
        "@jules75",
        "@bellehelene Vous faites des gâteaux sans gluten ?",
        "anna",
        "Pas encore, mais nous y travaillons. Nous vous tenons au courant ici même.",
    ),
    (
        "@bellehelene",
        "@camille_b",
        "@bellehelene La boutique est ouverte le dimanche ?",
        "anna",
        "Oui, de 8 h à 13 h. Nous vous attendons avec des croissants tout chauds.",
    ),
    (
        "@bellehelene",
        "@marie.patisse",
        "@bellehelene Livrez-vous à Lyon ?",
        "anna",
        "Pas pour l'instant : nous livrons Paris et sa proche banlieue. Merci de votre intérêt.",
    ),
    (
        "@acmehelp",
        "@kim_r",
        "@acmehelp How do I reset my API key?",
        "omar",
        "Settings > API > Regenerate. The old key stops working at once, so update your apps.",
    ),
    (
        "@acmehelp",
        "@dev_sam",
        "@acmehelp Do you ship to Canada?",
        "omar",
        "We do: 5 to 7 business days, tracking included. Thanks for asking!",
    ),
    (
        "@acmehelp",
        "@pat_o",
        "@acmehelp Your status page is down lol",
        "omar",
        "Thanks for flagging it. It is back now; we are looking at why it went down.",
    ),
)

# Replies the history already holds: (alias handle, index in HISTORY, author name, text).
ANSWERED = (
    ("@bellehelene", 2, "anna", "Merci beaucoup ! Nous transmettons vos compliments au fournil."),
    ("@acmehelp", 2, "omar", "Glad it's sorted, thanks for letting us know!"),
)

# Handovers waiting in the demo: (alias handle, author name, summary, people to watch, mood).
HANDOVERS = (
    (
        "@bellehelene",
        "anna",
        "Soirée calme. @jules75 a reçu une boîte écrasée : nous lui devons une réponse et "
        "sans doute un geste commercial.",
        "@jules75 (colis abîmé)",
        "plutôt positive, le lancement de la tarte aux poires plaît",
    ),
    (
        "@bellehelene",
        "lea",
        "Rappel : on dit « petit prix », jamais « pas cher ». Les éclairs au café reviennent "
        "vendredi : ne promettez rien avant.",
        "",
        "",
    ),
    (
        "@acmehelp",
        "omar",
        "API incident at noon (502s), fixed at 14:10. @dev_sam's order #4411 is stuck: "
        "billing is looking into it, answer him first.",
        "@dev_sam, @kim_r",
        "impatient after the outage",
    ),
)

# What the sandbox public keeps writing while a demo console is open.
LIVE = {
    "@bellehelene": (
        ("@lucie_gourmande", "@bellehelene Vous livrez à Lyon ? Mon anniversaire est samedi !"),
        ("@paul.d", "@bellehelene Le paris-brest est-il sans noisettes ? Allergie…"),
        ("@ines", "@bellehelene Quelle boutique ouvre le dimanche matin ?"),
        ("@hugo_l", "@bellehelene 45 minutes d'attente au téléphone, sérieusement ?"),
    ),
    "@acmehelp": (
        ("@li_wei", "@acmehelp How do I reset 2FA? Lost my phone."),
        ("@rosa_m", "@acmehelp Invoice for October is missing from my account."),
        ("@tom_b", "@acmehelp Your status page says green but nothing loads."),
        ("@nadia", "@acmehelp Can I change the email on my account?"),
    ),
}

# Saved replies each alias starts with: (alias handle, name, text).
SAVED_REPLIES = (
    (
        "@bellehelene",
        "commande abîmée",
        "Nous sommes désolés pour votre commande. Écrivez-nous en message privé avec votre "
        "numéro de commande : nous vous renvoyons une boîte.",
    ),
    ("@bellehelene", "merci", "Merci beaucoup ! Nous transmettons au fournil."),
    (
        "@acmehelp",
        "order status",
        "Sorry for the wait. Send us your order number by DM and we will check it today.",
    ),
    (
        "@acmehelp",
        "incident",
        "We know about it and are on it. Status updates: https://status.example.com",
    ),
)

# Contacts the team already knows, seeded right after the conversations of the past: (alias
# handle, contact, display name, language, tags (a lead gives them), notes as (author, text,
# pinned), ratings as (author, facet, value, reason)).
CONTACTS = (
    (
        "@bellehelene",
        "@marie.patisse",
        "Marie Lefèvre",
        "fr",
        ("VIP",),
        (
            (
                "anna",
                "Cliente fidèle depuis 2019 : commande chaque dimanche. Toujours la remercier.",
                True,
            ),
            ("anna", "A aimé la tarte aux poires ; aucune allergie connue.", False),
        ),
        (
            ("anna", "proximity", 4, "écrit presque chaque semaine"),
            ("anna", "trust", 5, "recommande la boutique à ses amis"),
        ),
    ),
    (
        "@bellehelene",
        "@camille_b",
        "Camille Bernard",
        "fr",
        ("journalist",),
        (
            (
                "lea",
                "Journaliste culinaire (Le Petit Gourmet) : toute réponse peut être citée. "
                "Rien sur les prix ni les fournisseurs sans moi.",
                True,
            ),
        ),
        (
            ("lea", "reach", 4, "rubrique lue dans toute la région"),
            ("lea", "expertise", 4, "critique pâtissière reconnue"),
            ("lea", "relevancy", 5, "prépare un article sur les éclairs"),
            ("lea", "proximity", 1, "ne nous connaît pas encore"),
        ),
    ),
)
