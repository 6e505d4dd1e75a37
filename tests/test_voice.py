"""The voice profile and drift: operators written to drift in known ways are caught, only them."""

from cmconsole.domain.voice import MIN_REPLIES, drift, profile

ALIAS_HISTORY = [
    "Merci pour votre message. Nous regardons votre commande et revenons vers vous demain.",
    "Bonjour Claire, nous sommes navrés pour ce retard. Votre colis part ce soir.",
    "Nous vous remercions de votre fidélité : la tarte aux poires revient vendredi.",
    "Bonne nouvelle, nous avons retrouvé votre commande. Elle arrive jeudi.",
    "Nous comprenons votre déception. Écrivez-nous en message privé, nous réglons cela.",
    "Merci Paul ! Nous transmettons vos compliments à l'atelier.",
    "Nos boutiques ouvrent à 9 h le dimanche. Nous vous attendons avec plaisir.",
    "Nous sommes désolés : ce produit est épuisé. Il revient la semaine prochaine.",
    "Votre remboursement est lancé, vous le recevrez sous cinq jours.",
    "Nous avons bien reçu votre photo. Un nouveau gâteau part demain matin.",
]

IN_VOICE = [
    "Merci pour votre patience : nous avons retrouvé votre colis, il arrive demain.",
    "Nous sommes navrés pour cette attente. Votre commande part ce soir.",
    "Bonjour Anne, nous vous remercions. La boutique ouvre à 9 h.",
    "Nous comprenons. Écrivez-nous en privé et nous réglons cela ensemble.",
    "Votre remboursement est parti ce matin, vous le verrez sous cinq jours.",
]

SAYS_JE_AND_TU = [
    "Je regarde ta commande et je te réponds demain.",
    "Salut ! Je pense que ton colis arrive jeudi.",
    "Je suis désolé, tu vas recevoir un remboursement.",
    "Je te confirme que la boutique ouvre à 9 h.",
    "Tu peux m'écrire en privé, je regarde ça.",
]

SHOUTS = [
    "Merci !!! Nous regardons votre commande !",
    "Génial ! Nous transmettons à l'atelier !",
    "Super nouvelle ! Votre colis part ce soir !",
    "Nous vous attendons dimanche ! À très vite !",
    "Bravo ! Le remboursement est lancé !",
]

WRITES_ESSAYS = [
    "Nous vous remercions très sincèrement pour votre message détaillé. " * 3,
    "Nous avons transmis votre demande à l'atelier, qui revient vers nous demain matin. " * 3,
    "Votre commande a bien été retrouvée dans notre entrepôt lyonnais, elle part ce soir. " * 3,
    "Nous comprenons parfaitement votre déception et nous vous présentons nos excuses. " * 3,
    "La boutique de la Croix-Rousse ouvre à 9 h le dimanche et vous attend avec plaisir. " * 3,
]


def dimensions(replies):
    return {d.dimension for d in drift(profile(ALIAS_HISTORY), replies)}


def test_the_profile_measures_the_alias_history():
    alias = profile(ALIAS_HISTORY)
    assert alias.replies == 10
    assert alias.shares["first_person_singular"] == 0
    assert alias.shares["familiar_address"] == 0
    assert alias.shares["exclamation"] == 0.1
    assert alias.shares["question"] == 0
    assert 60 < alias.means["length"] < 90
    assert alias.frequent_words[0] == ("votre", 8)


def test_an_operator_in_the_alias_voice_does_not_drift():
    assert dimensions(IN_VOICE) == set()


def test_saying_je_and_tu_drifts_on_person_and_address_with_examples():
    found = {d.dimension: d for d in drift(profile(ALIAS_HISTORY), SAYS_JE_AND_TU)}
    assert set(found) == {"first_person_singular", "familiar_address"}
    person = found["first_person_singular"]
    assert (person.alias_value, person.operator_value) == (0.0, 1.0)
    assert person.examples == SAYS_JE_AND_TU[:3]
    assert person.describe() == "first_person_singular: 100% of replies, where the alias has 0%"


def test_shouting_drifts_on_exclamation_only():
    assert dimensions(SHOUTS) == {"exclamation"}


def test_essays_drift_on_length_with_the_longest_as_examples():
    [length] = drift(profile(ALIAS_HISTORY), WRITES_ESSAYS)
    assert length.dimension == "length"
    assert length.operator_value > 1.5 * length.alias_value
    assert length.examples[0] == max(WRITES_ESSAYS, key=len)
    assert length.describe().startswith("length: ")


def test_too_few_replies_are_not_judged():
    assert drift(profile(ALIAS_HISTORY), SAYS_JE_AND_TU[: MIN_REPLIES - 1]) == []
