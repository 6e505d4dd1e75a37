"""X's weighted length (twitter-text v3): what counts 1, 2 or 23, and where the limit runs out."""

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from cmconsole.domain.emoji_runs import emoji_list

LIMIT = 280
URL_WEIGHT = 23
EMOJI_WEIGHT = 2
_MAX_URL_LENGTH = 4096
_MAX_LABEL_LENGTH = 63

Span = tuple[int, int]

# Code points that weigh 100 (count 1); everything else weighs 200 (counts 2).
_HEAVY = re.compile("[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
# twitter-text refuses these three outright, whatever the length.
_INVALID = re.compile("[\ufffe\ufeff\uffff]")
# Every emoji sequence holds one of these; text without any skips the emoji tokenizer.
_EMOJI_HINT = re.compile("[\u00a9\u00ae\u203c-\u3299\u20e3\U0001f000-\U0001faff]")


@dataclass(frozen=True)
class Measure:
    """A text measured as X measures it; offsets and spans index the text as given."""

    weighted_length: int
    valid: bool
    overflow_at: int | None  # first character past the limit, None when the text fits
    urls: tuple[Span, ...]
    emoji: tuple[Span, ...]


def weighted_length(text: str) -> int:
    """The length X counts for `text` against its 280 limit."""
    return measure(text).weighted_length


def measure(text: str, limit: int = LIMIT) -> Measure:
    """Weighted length, validity (not empty, within `limit`, no refused character) and overflow."""
    normal, chunks = normalise(text)
    urls = url_spans(normal)
    emojis = [span for span in emoji_spans(normal) if not any(_inside(span, u) for u in urls)]
    entities = {start: (end, URL_WEIGHT) for start, end in urls}
    entities.update((start, (end, EMOJI_WEIGHT)) for start, end in emojis)
    total, overflow = 0, None
    for start, weight in _pieces(normal, entities):
        if overflow is None and total + weight > limit:  # an entity fits whole or not at all
            overflow = start if start in entities else _first_past(normal, start, limit - total)
        total += weight
    valid = bool(normal) and total <= limit and not _INVALID.search(normal)
    if chunks is None:
        return Measure(total, valid, overflow, tuple(urls), tuple(emojis))

    def back(span: Span) -> Span:
        return chunks[span[0]][0], chunks[span[1] - 1][1]

    at = None if overflow is None else chunks[overflow][0]
    return Measure(total, valid, at, tuple(map(back, urls)), tuple(map(back, emojis)))


def _pieces(text: str, entities: dict[int, tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """(start, weight) of each entity, and of each stretch of plain text between them."""
    i = 0
    for start in sorted(entities):
        if start < i:  # inside the entity before it
            continue
        if i < start:
            yield i, start - i + len(_HEAVY.findall(text, i, start))
        i, weight = entities[start]
        yield start, weight
    if i < len(text):
        yield i, len(text) - i + len(_HEAVY.findall(text, i))


def _first_past(text: str, start: int, room: int) -> int:
    """The first character of plain text from `start` whose weight does not fit in `room`."""
    i = start
    while (room := room - (2 if _HEAVY.match(text, i) else 1)) >= 0:
        i += 1
    return i


def emoji_spans(text: str) -> list[Span]:
    """Each emoji sequence (ZWJ, skin tone, flag, keycap) as one span."""
    if not _EMOJI_HINT.search(text):
        return []
    # A bare © or ® is text to twitter-text (it weighs 1); with U+FE0F it is an emoji.
    return [
        (start, end)
        for start, end, found in emoji_list(text)
        if end - start > 1 or _HEAVY.match(found)
    ]


def _inside(span: Span, outer: Span) -> bool:
    return outer[0] <= span[0] < outer[1]


def normalise(text: str) -> tuple[str, list[Span] | None]:
    """NFC text and, if that changed it, the span of `text` each normalised character comes from."""
    if unicodedata.is_normalized("NFC", text):
        return text, None
    # Cut before each starter that cannot compose with the character before it: NFC never
    # reaches across such a cut, so each piece normalises on its own.
    cuts = [0]
    for i in range(1, len(text)):
        pair = text[i - 1 : i + 1]
        if unicodedata.combining(text[i]) == 0 and unicodedata.normalize("NFC", pair) == "".join(
            unicodedata.normalize("NFC", c) for c in pair
        ):
            cuts.append(i)
    cuts.append(len(text))
    pieces, chunks = [], []
    for start, end in itertools.pairwise(cuts):
        piece = unicodedata.normalize("NFC", text[start:end])
        pieces.append(piece)
        chunks.extend([(start, end)] * len(piece))
    normal = unicodedata.normalize("NFC", text)
    if "".join(pieces) != normal:  # a rare reordering across a cut: map everything to the start
        return normal, [(0, len(text))] * len(normal)
    return normal, chunks


# URLs, after twitter-text's extractor: a domain ending in a known TLD, with or without a
# scheme, then an optional port, path and query. Without a scheme only ASCII domains count,
# and a bare `name.cc` (country TLD, no path) is not a link, except .co and .tv.
_NOT_DOMAIN = (
    "\u0000-/:-@\\[-`{-~\\s\u180e\ufffe\ufeff\uffff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
)
_LABEL = f"[^{_NOT_DOMAIN}](?:[-_]*[^{_NOT_DOMAIN}])*"
_CANDIDATE = re.compile(
    f"(?<![A-Za-z0-9@\uff20$#\uff03\ufffe\ufeff\uffff])(https?://)?({_LABEL}(?:\\.{_LABEL})+)", re.I
)
_LATIN = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_PATH_CHAR = f"[a-z\u0400-\u04ff0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~&|@{_LATIN}]"
_PARENS = f"\\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*)\\)"
_PATH_END = f"(?:[+\\-a-z\u0400-\u04ff0-9=_#/{_LATIN}]|{_PARENS})"
_PATH = f"(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END}|@{_PATH_CHAR}+/)"
_QUERY = "\\?[a-z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|]*[a-z0-9\\-_&=#/]"
# Every candidate holds a dot followed by a label's first character (same class, same flags):
# text without one holds no URL, and is not scanned word by word for one.
_DOT_LABEL = re.compile(f"\\.[^{_NOT_DOMAIN}]", re.I)
_TAIL = re.compile(f"(?::[0-9]+)?(/{_PATH}*)?(?:{_QUERY})?", re.I)
_TCO = re.compile(f"https?://t\\.co/[a-z0-9]+(?:{_QUERY})?", re.I)
_ASCII_LABELS = re.compile(f"(?:[-a-z0-9{_LATIN}]+\\.)+", re.I)
_PUNYCODE = re.compile("xn--[-0-9a-z]+", re.I)
_NO_TLD_AFTER = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@+-")


def url_spans(text: str) -> list[Span]:
    """The URLs twitter-text would find in `text` (each weighs 23, however long)."""
    spans: list[Span] = []
    if "." not in text or not _DOT_LABEL.search(text):
        return spans
    pos = 0
    while match := _CANDIDATE.search(text, pos):
        scheme, (host_start, host_stop) = match.group(1), match.span(2)
        host_end = _domain_end(text, host_start, host_stop, len(text), strict=True)
        if host_end is None:
            pos = match.start() + 1
            continue
        tail = _TAIL.match(text, host_end)  # it always matches: every part is optional
        pos = end = tail.end() if tail else host_end
        if not _valid_host(text[host_start:host_end], len(scheme or "https://") + end - host_start):
            continue
        if scheme:
            tco = _TCO.match(text, match.start())
            spans.append((match.start(), tco.end() if tco else end))
        elif match.start() == 0 or text[match.start() - 1] not in "-_./":
            spans.extend(_ascii_urls(text, host_start, host_end, end, path=bool(tail and tail[1])))
    return spans


def _ascii_urls(text: str, start: int, stop: int, end: int, *, path: bool) -> list[Span]:
    """URLs without a scheme: the ASCII domains inside the host; the last one takes the path."""
    found: list[Span] = []
    pos = start
    while labels := _ASCII_LABELS.search(text, pos, stop):
        next_dot = text.find(".", labels.end(), stop)
        domain_end = _domain_end(text, labels.start(), stop if next_dot < 0 else next_dot, stop)
        if domain_end is None:
            pos = labels.end()
            continue
        pos = domain_end
        domain = text[labels.start() : domain_end].lower()
        short = domain.count(".") == 1 and domain.rsplit(".", 1)[1] in _COUNTRY
        if path or not short or domain.endswith((".co", ".tv")):
            found.append((labels.start(), domain_end))
    if path and found:
        found[-1] = (found[-1][0], end)
    return found


def _domain_end(
    text: str, start: int, stop: int, limit: int, *, strict: bool = False
) -> int | None:
    """End of the longest domain from `start` (to `stop`) whose last label is or begins a TLD."""
    dot = text.rfind(".", start, stop)
    label_stop = stop
    while dot > start:
        name_start = text.rfind(".", start, dot) + 1 or start
        if not (strict and "_" in text[name_start:dot]):
            end = _tld_end(text, dot + 1, label_stop, limit)
            if end is not None:
                return end
        label_stop, dot = dot, text.rfind(".", start, dot)
    return None


def _tld_end(text: str, start: int, stop: int, limit: int) -> int | None:
    """End of a TLD at `start` that is not glued to a following letter, digit, '@', '+' or '-'."""
    label = text[start:stop].lower()
    puny = _PUNYCODE.match(label)
    lengths = [puny.end()] if puny else []
    lengths += [n for n in range(min(len(label), _LONGEST_TLD), 1, -1) if label[:n] in _TLDS]
    for n in lengths:
        if start + n >= limit or text[start + n] not in _NO_TLD_AFTER:
            return start + n
    return None


def _valid_host(host: str, length: int) -> bool:
    """Every label fits in 63 characters once punycode-encoded, and the URL in 4096."""
    if length > _MAX_URL_LENGTH:
        return False
    for label in host.split("."):
        if len(label) > _MAX_LABEL_LENGTH:
            return False
        if not label.isascii() and len(label.encode("punycode")) + 4 > _MAX_LABEL_LENGTH:
            return False
    return True


# The TLDs of twitter-text's conformance/tld_lib.yml (the IANA root zone as it knew it).
_IDN_TLDS = """
    한국 香港 澳門 新加坡 台灣 台湾 中國 中国 გე ລາວ ไทย ලංකා ഭാരതം ಭಾರತ
    భారత్ சிங்கப்பூர் இலங்கை இந்தியா ଭାରତ ભારત ਭਾਰਤ ভাৰত ভারত বাংলা भारोत
    भारतम् भारत ڀارت پاکستان موريتانيا مليسيا مصر قطر فلسطين عمان عراق
    سورية سودان تونس بھارت بارت ایران امارات المغرب السعودية الجزائر
    البحرين الاردن հայ қаз укр срб рф мон мкд ею бел бг ευ ελ 삼성 닷컴
    닷넷 香格里拉 餐厅 食品 飞利浦 電訊盈科 集团 通販 购物 谷歌 诺基亚
    联通 网络 网站 网店 网址 组织机构 移动 珠宝 点看 游戏 淡马锡 机构 書籍
    时尚 新闻 政府 政务 招聘 手表 手机 我爱你 慈善 微博 广东 工行 家電
    娱乐 天主教 大拿 大众汽车 在线 嘉里大酒店 嘉里 商标 商店 商城 公益
    公司 八卦 健康 信息 佛山 企业 中文网 中信 世界 ポイント ファッション
    セール ストア コム グーグル クラウド みんな คอม संगठन नेट कॉम همراه
    موقع موبايلي كوم كاثوليك عرب شبكة بيتك بازار العليان ارامكو اتصالات
    ابوظبي קום сайт рус орг онлайн москва ком католик дети
"""  # noqa: RUF001
_IDN_COUNTRY = 60  # the first 60 of _IDN_TLDS are country codes
_ASCII_COUNTRY = """
    ac ad ae af ag ai al am an ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq
    br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz
    ec ee eg eh er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw
    gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz
    la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx
    my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro
    rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk
    tl tm tn to tp tr tt tv tw tz ua ug uk um us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
"""
_ASCII_GENERIC = """
    zuerich zone zippo zip zero zara zappos yun youtube you yokohama yoga yodobashi yandex yamaxun
    yahoo yachts xyz xxx xperia xin xihuan xfinity xerox xbox wtf wtc wow world works work woodside
    wolterskluwer wme winners wine windows win williamhill wiki wien whoswho weir weibo wedding wed
    website weber webcam weatherchannel weather watches watch warman wanggou wang walter walmart
    wales vuelos voyage voto voting vote volvo volkswagen vodka vlaanderen vivo viva vistaprint
    vista vision visa virgin vip vin villas viking vig video viajes vet versicherung
    vermögensberatung vermögensberater verisign ventures vegas vanguard vana vacations ups uol uno
    university unicom uconnect ubs ubank tvs tushu tunes tui tube trv trust travelersinsurance
    travelers travelchannel travel training trading trade toys toyota town tours total toshiba
    toray top tools tokyo today tmall tkmaxx tjx tjmaxx tirol tires tips tiffany tienda tickets tiaa
    theatre theater thd teva tennis temasek telefonica telecity tel technology tech team tdk tci
    taxi tax tattoo tatar tatamotors target taobao talk taipei tab systems symantec sydney swiss
    swiftcover swatch suzuki surgery surf support supply supplies sucks style study studio stream
    store storage stockholm stcgroup stc statoil statefarm statebank starhub star staples stada srt
    srl spreadbetting spot sport spiegel space soy sony song solutions solar sohu software softbank
    social soccer sncf smile smart sling skype sky skin ski site singles sina silk shriram showtime
    show shouji shopping shop shoes shiksha shia shell shaw sharp shangrila sfr sexy sex sew seven
    ses services sener select seek security secure seat search scot scor scjohnson science schwarz
    schule school scholarships schmidt schaeffler scb sca sbs sbi saxo save sas sarl sapo sap
    sanofi sandvikcoromant sandvik samsung samsclub salon sale sakura safety safe saarland ryukyu
    rwe run ruhr rugby rsvp room rogers rodeo rocks rocher rmit rip rio ril rightathome ricoh
    richardli rich rexroth reviews review restaurant rest republican report repair rentals rent ren
    reliance reit reisen reise rehab redumbrella redstone red recipes realty realtor realestate read
    raid radio racing qvc quest quebec qpon pwc pub prudential pru protection property properties
    promo progressive prof productions prod pro prime press praxi pramerica post porn politie poker
    pohl pnc plus plumbing playstation play place pizza pioneer pink ping pin pid pictures pictet
    pics piaget physio photos photography photo phone philips phd pharmacy pfizer pet pccw pay
    passagens party parts partners pars paris panerai panasonic pamperedchef page ovh ott otsuka
    osaka origins orientexpress organic org orange oracle open ooo onyourside online onl ong one
    omega ollo oldnavy olayangroup olayan okinawa office off observer obi nyc ntt nrw nra nowtv
    nowruz now norton northwesternmutual nokia nissay nissan ninja nikon nike nico nhk ngo nfl
    nexus nextdirect next news newholland new neustar network netflix netbank net nec nba navy
    natura nationwide name nagoya nadex nab mutuelle mutual museum mtr mtpc mtn msd movistar movie
    mov motorcycles moto moscow mortgage mormon mopar montblanc monster money monash mom moi moe
    moda mobily mobile mobi mma mls mlb mitsubishi mit mint mini mil microsoft miami metlife
    merckmsd meo menu men memorial meme melbourne meet media med mckinsey mcdonalds mcd mba mattel
    maserati marshalls marriott markets marketing market map mango management man makeup maison
    maif madrid macys luxury luxe lupin lundbeck ltda ltd lplfinancial lpl love lotto lotte london
    lol loft locus locker loans loan llp llc lixil living live lipsy link linde lincoln limo limited
    lilly like lighting lifestyle lifeinsurance life lidl liaison lgbt lexus lego legal lefrak
    leclerc lease lds lawyer law latrobe latino lat lasalle lanxess landrover land lancome lancia
    lancaster lamer lamborghini ladbrokes lacaixa kyoto kuokgroup kred krd kpn kpmg kosher komatsu
    koeln kiwi kitchen kindle kinder kim kia kfh kerryproperties kerrylogistics kerryhotels kddi
    kaufen juniper juegos jprs jpmorgan joy jot joburg jobs jnj jmp jll jlc jio jewelry jetzt jeep
    jcp jcb java jaguar iwc iveco itv itau istanbul ist ismaili iselect irish ipiranga investments
    intuit international intel int insure insurance institute ink ing info infiniti industries inc
    immobilien immo imdb imamat ikano iinet ifm ieee icu ice icbc ibm hyundai hyatt hughes htc hsbc
    how house hotmail hotels hoteles hot hosting host hospital horse honeywell honda homesense homes
    homegoods homedepot holiday holdings hockey hkt hiv hitachi hisamitsu hiphop hgtv hermes here
    helsinki help healthcare health hdfcbank hdfc hbo haus hangout hamburg hair guru guitars guide
    guge gucci guardian group grocery gripe green gratis graphics grainger gov got gop google goog
    goodyear goodhands goo golf goldpoint gold godaddy gmx gmo gmbh gmail globo global gle glass
    glade giving gives gifts gift ggee george genting gent gea gdn gbiz gay garden gap games game
    gallup gallo gallery gal fyi futbol furniture fund fun fujixerox fujitsu ftr frontier frontdoor
    frogans frl fresenius free fox foundation forum forsale forex ford football foodnetwork food
    foo fly flsmidth flowers florist flir flights flickr fitness fit fishing fish firmdale
    firestone fire financial finance final film fido fidelity fiat ferrero ferrari feedback fedex
    fast fashion farmers farm fans fan family faith fairwinds fail fage extraspace express exposed
    expert exchange everbank events eus eurovision etisalat esurance estate esq erni ericsson
    equipment epson epost enterprises engineering engineer energy emerck email education edu edeka
    eco eat earth dvr dvag durban dupont duns dunlop duck dubai dtv drive download dot doosan
    domains doha dog dodge doctor docs dnp diy dish discover discount directory direct digital diet
    diamonds dhl dev design desi dentist dental democrat delta deloitte dell delivery degree deals
    dealer deal dds dclk day datsun dating date data dance dad dabur cyou cymru cuisinella csc
    cruises cruise crs crown cricket creditunion creditcard credit cpa courses coupons coupon
    country corsica coop cool cookingchannel cooking contractors contact consulting construction
    condos comsec computer compare company community commbank comcast com cologne college coffee
    codes coach clubmed club cloud clothing clinique clinic click cleaning claims cityeats city
    citic citi citadel cisco circle cipriani church chrysler chrome christmas chloe chintai cheap
    chat chase charity channel chanel cfd cfa cern ceo center ceb cbs cbre cbn cba catholic
    catering cat casino cash caseih case casa cartier cars careers career care cards caravan car
    capitalone capital capetown canon cancerresearch camp camera cam calvinklein call cal cafe cab
    bzh buzz buy business builders build bugatti budapest brussels brother broker broadway
    bridgestone bradesco box boutique bot boston bostik bosch boots booking book boo bond bom bofa
    boehringer boats bnpparibas bnl bmw bms blue bloomberg blog blockbuster blanco blackfriday
    black biz bio bingo bing bike bid bible bharti bet bestbuy best berlin bentley beer beauty
    beats bcn bcg bbva bbt bbc bayern bauhaus basketball baseball bargains barefoot barclays
    barclaycard barcelona bar bank band bananarepublic banamex baidu baby azure axa aws avianca
    autos auto author auspost audio audible audi auction attorney athleta associates asia asda
    arte art arpa army archi aramco arab aquarelle apple app apartments aol anz anquan android
    analytics amsterdam amica amfam amex americanfamily americanexpress alstom alsace ally allstate
    allfinanz alipay alibaba alfaromeo akdn airtel airforce airbus aigo aig agency agakhan africa
    afl afamilycompany aetna aero aeg adult ads adac actor active aco accountants accountant
    accenture academy abudhabi abogado able abc abbvie abbott abb abarth aarp aaa onion
"""
_COUNTRY = frozenset(_IDN_TLDS.split()[:_IDN_COUNTRY] + _ASCII_COUNTRY.split())
_TLDS = _COUNTRY | frozenset(_IDN_TLDS.split()[_IDN_COUNTRY:] + _ASCII_GENERIC.split())
_LONGEST_TLD = max(map(len, _TLDS))
