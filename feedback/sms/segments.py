"""How many SMS segments a text costs: GSM-7 (160 characters, 153 a part) when every
character is in the GSM 03.38 alphabet (the extension table's characters count twice),
else UCS-2 (70, 67 a part)."""

_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")

# Characters a template or a name may bring that have a GSM-7 twin.
_TO_GSM = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "}
)


def gsm7_length(text: str) -> int | None:
    """The text's length in GSM-7 septets, or None if it needs UCS-2."""
    length = 0
    for char in text:
        if char in _GSM_BASIC:
            length += 1
        elif char in _GSM_EXTENDED:
            length += 2
        else:
            return None
    return length


def segments(text: str) -> int:
    """How many segments the text is sent in."""
    length = gsm7_length(text)
    if length is not None:
        return 1 if length <= 160 else -(-length // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


def gsm7_text(text: str) -> str:
    """The text with typographic quotes and dashes made plain, so it stays GSM-7."""
    return " ".join(text.translate(_TO_GSM).split())
