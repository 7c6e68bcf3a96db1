"""Charsets as mail programs really send them: legacy code pages with the labels
Windows, phones and webmail put on them (often not quite the right one), raw
8-bit headers, encoded words cut in the middle of a character, RFC 2231 file
names. Every fixture checks the decoded subject, sender name or text."""

from kit import ACME, b64, fixture, join, qp, word_b, word_q


def envelope(slug: str, sender: str, subject: str, extra: str = "", date: str = "Tue, 24 Nov 2026 09:12:44 +0100") -> str:
    """The header block up to MIME-Version (a mail program's own headers in ``extra``)."""
    lines = [f"From: {sender}", f"To: Acme Support <{ACME}>", f"Subject: {subject}", f"Date: {date}",
             f"Message-ID: <{slug}@customer.example>"]
    return "\n".join(lines) + "\n" + extra + "MIME-Version: 1.0\n"


def crlf(data: str | bytes, charset: str = "utf-8") -> bytes:
    """A body in a legacy charset as bytes with CRLF line ends (kit.join converts only its str pieces)."""
    raw = data.encode(charset) if isinstance(data, str) else data
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def relabel(word: str, label: str) -> str:
    """An encoded word whose bytes are in one charset and whose label names another (Outlook Express)."""
    start = word.index("?", 2)
    return f"=?{label}{word[start:]}"


def split_b(text: str, cuts: list[int], charset: str = "UTF-8") -> str:
    """``text`` as B encoded words cut at these byte offsets (in the middle of characters), folded."""
    data = text.encode(charset)
    bounds = [0, *cuts, len(data)]
    words = [b64(data[a:b], width=1000) for a, b in zip(bounds, bounds[1:], strict=False)]
    return "\n ".join(f"=?{charset}?B?{word}?=" for word in words)


def split_q(text: str, cuts: list[int], charset: str = "UTF-8") -> str:
    data = text.encode(charset)
    bounds = [0, *cuts, len(data)]
    words = ["".join(chr(byte) if 0x21 <= byte < 0x7f and chr(byte) not in "=?_" else
                     "_" if byte == 0x20 else f"={byte:02X}" for byte in data[a:b])
             for a, b in zip(bounds, bounds[1:], strict=False)]
    return "\n ".join(f"=?{charset}?Q?{word}?=" for word in words)


def cp50220(text: str) -> bytes:
    """ISO-2022-JP the way Windows (Outlook, code page 50220) writes it: JIS X 0208 plus the NEC special
    characters of row 13 (① ㈱) and the NEC-selected IBM extensions of rows 89-92 (髙 﨑)."""
    out, double = bytearray(), False
    for char in text:
        if ord(char) < 0x80:
            if double:
                out += b"\x1b(B"
                double = False
            out += char.encode("ascii")
            continue
        if not double:
            out += b"\x1b$B"
            double = True
        s1, s2 = char.encode("cp932")
        row = (s1 - (0x81 if s1 < 0xa0 else 0xc1)) * 2 + 0x21
        if s2 >= 0x9f:
            out += bytes([row + 1, s2 - 0x7e])
        else:
            out += bytes([row, s2 - (0x1f if s2 < 0x7f else 0x20)])
    if double:
        out += b"\x1b(B"
    return bytes(out)


def jis_word(text: str) -> str:
    return f"=?ISO-2022-JP?B?{b64(cp50220(text), width=1000)}?="


OUTLOOK = """\
Thread-Topic: {topic}
Thread-Index: AdnQ4f1Zk3m2uYVtRcOq1pHh7kQ9Ag==
X-Mailer: Microsoft Outlook 16.0
Content-Language: {language}
"""


def alternative(boundary: str, charset: str, text: bytes, html: bytes, cte: str = "quoted-printable") -> list:
    """Pieces of an Outlook multipart/alternative body in a legacy charset (text and HTML, encoded)."""
    def encode(data: bytes) -> str:
        return b64(data) if cte == "base64" else qp(data.decode("latin-1"), "latin-1")

    return [f"Content-Type: multipart/alternative;\n\tboundary=\"{boundary}\"\n\n--{boundary}\n"
            f"Content-Type: text/plain; charset=\"{charset}\"\nContent-Transfer-Encoding: {cte}\n\n"
            f"{encode(text)}\n--{boundary}\n"
            f"Content-Type: text/html; charset=\"{charset}\"\nContent-Transfer-Encoding: {cte}\n\n"
            f"{encode(html)}\n--{boundary}--\n"]


POLISH_TEXT = "Dzień dobry,\n\nProszę o korektę faktury nr 2026/11/042 – kwota się nie zgadza.\n\nDziękuję,\nŁukasz\n"
POLISH_HTML = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1250\"></head>"
               "<body><p class=\"MsoNormal\">Dzień dobry,</p><p class=\"MsoNormal\">Proszę o korektę faktury "
               "nr 2026/11/042 – kwota się nie zgadza.</p><p class=\"MsoNormal\">Dziękuję,<br>Łukasz</p>"
               "</body></html>\n")
RUSSIAN_TEXT = "Добрый день!\n\nПришлите, пожалуйста, счёт №1547 на оплату.\n\nС уважением,\nОльга Петрова\n"
RUSSIAN_HTML = ("<html><body><p>Добрый день!</p><p>Пришлите, пожалуйста, счёт №1547 на оплату.</p>"
                "<p>С уважением,<br>Ольга Петрова</p></body></html>\n")
KOREAN_TEXT = "안녕하세요.\n\n어제 주문한 상품의 주문 취소를 요청합니다.\n주문번호: 20261124-0042\n\n감사합니다.\n이서연 드림\n"
KOREAN_HTML = ("<html><body><p>안녕하세요.</p><p>어제 주문한 상품의 주문 취소를 요청합니다.<br>"
               "주문번호: 20261124-0042</p><p>감사합니다.<br>이서연 드림</p></body></html>\n")

FIXTURES = [
    fixture("outlook-express-latin1-label-cp1252-bytes", join(
        envelope("oe-cp1252", "=?iso-8859-1?Q?Ren=E9e_Lef=E8vre?= <renee@customer.example>",
                 relabel(word_q("Rückerstattung – 49 €", "cp1252"), "iso-8859-1"),
                 "X-Mailer: Microsoft Outlook Express 6.00.2900.5931\nX-MimeOLE: Produced By Microsoft MimeOLE "
                 "V6.00.2900.6157\n"),
        "Content-Type: text/plain;\n\tcharset=\"iso-8859-1\"\nContent-Transfer-Encoding: quoted-printable\n\n",
        qp("Guten Tag,\n\ndas „Premium“-Paket wurde doppelt berechnet … bitte 49 € zurück – danke!\n\nRenée\n",
           "cp1252"), "\n"),
        "Outlook Express labels Windows text ISO-8859-1: curly quotes, ellipsis, en dash and euro are cp1252 "
        "bytes, in the body and in an encoded-word subject", "created",
        subject="Rückerstattung – 49 €", from_name="Renée Lefèvre",
        text_contains=["das „Premium“-Paket wurde doppelt berechnet … bitte 49 € zurück – danke!"]),
    fixture("outlook-windows-1250-polish", join(
        envelope("pl-1250", "=?windows-1250?Q?=A3ukasz_Wi=9Cniewski?= <lukasz@customer.example>",
                 word_q("Faktura za październik – błąd", "windows-1250"),
                 OUTLOOK.format(topic="Faktura za pazdziernik", language="pl-PL")),
        *alternative("_000_AM0PR02MB5123PL_", "windows-1250", POLISH_TEXT.encode("cp1250"),
                     POLISH_HTML.encode("cp1250"))),
        "Polish Outlook: windows-1250 quoted-printable text and HTML, Q-encoded subject and sender", "created",
        subject="Faktura za październik – błąd", from_name="Łukasz Wiśniewski",
        text_contains=["Proszę o korektę faktury nr 2026/11/042 – kwota się nie zgadza.", "Dziękuję,\nŁukasz"],
        html_contains=["Proszę o korektę faktury"]),
    fixture("the-bat-koi8-r", join(
        envelope("bat-koi8r", f"{word_b('Дмитрий Соколов', 'koi8-r')} <dmitry@customer.example>",
                 word_b("Не печатает принтер в офисе", "koi8-r"),
                 "X-Mailer: The Bat! (v4.0.24) Professional\nReply-To: "
                 f"{word_b('Дмитрий Соколов', 'koi8-r')} <dmitry@customer.example>\nX-Priority: 3 (Normal)\n"),
        "Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n",
        crlf("Здравствуйте!\n\nПринтер в бухгалтерии опять не печатает, горит оранжевая лампочка.\n\n"
             "-- \nС уважением,\n Дмитрий                          mailto:dmitry@customer.example\n", "koi8-r")),
        "The Bat! in KOI8-R: 8-bit body, B-encoded subject and sender name", "created",
        subject="Не печатает принтер в офисе", from_name="Дмитрий Соколов",
        text_contains=["Принтер в бухгалтерии опять не печатает, горит оранжевая лампочка."]),
    fixture("outlook-windows-1251-base64", join(
        envelope("ru-1251", f"\"{word_b('Ольга Петрова', 'windows-1251')}\" <olga@customer.example>",
                 word_b("Счёт №1547 на оплату", "windows-1251"),
                 OUTLOOK.format(topic="Счёт №1547 на оплату", language="ru-RU")),
        *alternative("_000_VI1PR0302MB2618RU_", "windows-1251", RUSSIAN_TEXT.encode("cp1251"),
                     RUSSIAN_HTML.encode("cp1251"), cte="base64")),
        "Russian Outlook: windows-1251 in base64, the number sign (№) only cp1251 has, a quoted encoded word "
        "in the sender name", "created",
        subject="Счёт №1547 на оплату", from_name="Ольга Петрова",
        text_contains=["Пришлите, пожалуйста, счёт №1547 на оплату."], html_contains=["счёт №1547"]),
    fixture("iphone-iso-2022-jp", join(
        envelope("iphone-jis", f"{jis_word('山田太郎')} <taro@mobile.example>", jis_word("見積もりのお願い"),
                 "X-Mailer: iPhone Mail (21B101)\n"),
        "Content-Type: text/plain;\n\tcharset=iso-2022-jp\nContent-Transfer-Encoding: 7bit\n\n",
        crlf(cp50220("お世話になっております。\n来月分の見積書を送っていただけますか。\n\niPhoneから送信\n"))),
        "iPhone Mail writes Japanese as ISO-2022-JP (7-bit escape sequences) when it can", "created",
        subject="見積もりのお願い", from_name="山田太郎",
        text_contains=["お世話になっております。\n来月分の見積書を送っていただけますか。"]),
    fixture("outlook-iso-2022-jp-nec-characters", join(
        envelope("outlook-jis", f"{jis_word('髙橋 一郎')} <ichiro@customer.example>", jis_word("【至急】①請求書の件"),
                 OUTLOOK.format(topic="【至急】①請求書の件", language="ja-JP")),
        "Content-Type: text/plain; charset=\"iso-2022-jp\"\nContent-Transfer-Encoding: 7bit\n\n",
        crlf(cp50220("㈱サンプル商事 経理部の髙橋です。\n①請求書と②納品書を至急お送りください。\n"))),
        "Japanese Outlook (code page 50220): ISO-2022-JP carrying the circled digits, ㈱ and the IBM kanji "
        "of names (髙) that plain JIS X 0208 lacks: mail clients show them, so must we", "created",
        subject="【至急】①請求書の件", from_name="髙橋 一郎",
        text_contains=["㈱サンプル商事 経理部の髙橋です。", "①請求書と②納品書を至急お送りください。"]),
    fixture("docomo-shift-jis-halfwidth-kana", join(
        envelope("docomo-sjis", f"{word_b('佐藤ﾊﾅｺ', 'cp932').replace('cp932', 'Shift_JIS')} "
                 "<hanako@mobile.example>", word_b("再発行①", "cp932").replace("cp932", "Shift_JIS"),
                 "X-Mailer: Docomo Mail\n"),
        "Content-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: 8bit\n\n",
        crlf("ﾊﾟｽﾜｰﾄﾞを忘れました。①再発行をお願いします。㈱ﾃｽﾄ\n", "cp932")),
        "A Japanese phone mailer's 8-bit Shift_JIS: half-width katakana and the Windows-only ① and ㈱ "
        "(Shift_JIS as Windows writes it, cp932)", "created",
        subject="再発行①", from_name="佐藤ﾊﾅｺ", text_contains=["ﾊﾟｽﾜｰﾄﾞを忘れました。①再発行をお願いします。㈱ﾃｽﾄ"]),
    fixture("raw-iso-2022-jp-headers", join(
        "From: ", cp50220("鈴木花子"), " <hanako.suzuki@mobile.example>\nTo: support@acme.example\nSubject: ",
        cp50220("パスワード再設定（至急）"), "\nDate: Tue, 24 Nov 2026 18:02:11 +0900\n"
        "Message-ID: <20261124180211.4F2A.hanako@mobile.example>\nX-Mailer: Keitai Mail Gateway 2.1\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n",
        crlf(cp50220("ログインできません。パスワードを再設定してください。\n"))),
        "Older Japanese mailers and phone gateways put ISO-2022-JP in Subject and From as raw escape "
        "sequences, not encoded words; the \"(\" and \";\" inside them must not break the address", "created",
        subject="パスワード再設定（至急）", from_name="鈴木花子", from_email="hanako.suzuki@mobile.example",
        text_contains=["ログインできません。パスワードを再設定してください。"]),
    fixture("webmail-euc-kr-label-cp949-bytes", join(
        envelope("daum-euckr", f"{word_b('김똠이', 'cp949').replace('cp949', 'EUC-KR')} <ddom@customer.example>",
                 word_b("똠방각하 배송 문의", "cp949").replace("cp949", "EUC-KR"), "X-Mailer: Daum Web Mailer 1.1\n"),
        "Content-Type: text/plain; charset=EUC-KR\nContent-Transfer-Encoding: base64\n\n",
        b64("배송이 언제 되나요? 똠방각하 주문입니다.\n".encode("cp949")), "\n"),
        "Korean webmail labels EUC-KR but writes Unified Hangul Code (cp949), syllables like 똠 that EUC-KR "
        "lacks", "created",
        subject="똠방각하 배송 문의", from_name="김똠이", text_contains=["배송이 언제 되나요? 똠방각하 주문입니다."]),
    fixture("outlook-ks-c-5601-1987", join(
        envelope("ks-c", f"\"{word_b('이서연', 'cp949').replace('cp949', 'ks_c_5601-1987')}\" <seoyeon@customer.example>",
                 word_b("주문 취소 요청", "cp949").replace("cp949", "ks_c_5601-1987"),
                 OUTLOOK.format(topic="주문 취소 요청", language="ko-KR")),
        *alternative("_000_SL2P216MB1234KR_", "ks_c_5601-1987", KOREAN_TEXT.encode("cp949"),
                     KOREAN_HTML.encode("cp949"), cte="base64")),
        "Korean Outlook's ks_c_5601-1987 label (a name Python does not know; the bytes are cp949)", "created",
        subject="주문 취소 요청", from_name="이서연",
        text_contains=["어제 주문한 상품의 주문 취소를 요청합니다.", "주문번호: 20261124-0042"],
        html_contains=["주문 취소를 요청합니다"]),
    fixture("foxmail-gb2312-label-gbk-characters", join(
        envelope("foxmail-gbk", f"\"{word_b('王喆', 'gbk').replace('gbk', 'gb2312')}\" <wangzhe@customer.example>",
                 word_b("退款申请（朱镕）", "gbk").replace("gbk", "gb2312"),
                 "X-Mailer: Foxmail 7.2.25.228[cn]\nX-Priority: 3\n"),
        "Content-Type: text/plain;\n\tcharset=\"gb2312\"\nContent-Transfer-Encoding: base64\n\n",
        b64("您好：\n\n请问订单什么时候发货？已经等了两个星期。\n\n王喆\n".encode("gbk")), "\n"),
        "Foxmail labels GB2312 and writes GBK: the names' characters 喆 and 镕 are not in GB2312", "created",
        subject="退款申请（朱镕）", from_name="王喆", text_contains=["请问订单什么时候发货？", "王喆"]),
    fixture("outlook-big5-hkscs", join(
        envelope("big5", f"{word_b('陳怡君', 'big5')} <yichun@customer.example>", word_b("訂單查詢：幾時到貨？", "big5"),
                 OUTLOOK.format(topic="訂單查詢", language="zh-TW")),
        "Content-Type: text/plain; charset=\"big5\"\nContent-Transfer-Encoding: quoted-printable\n\n",
        qp("你好，\n\n請問我的訂單何時出貨？唔該，我哋嘅地址冇變。\n\n陳怡君\n", "big5hkscs"), "\n"),
        "Traditional Chinese in Big5 from Hong Kong, with HKSCS characters (嘅) outside plain Big5", "created",
        subject="訂單查詢：幾時到貨？", from_name="陳怡君", text_contains=["請問我的訂單何時出貨？", "我哋嘅地址冇變"]),
    fixture("outlook-windows-874-thai", join(
        envelope("thai", f"{word_b('สมชาย ใจดี', 'cp874').replace('cp874', 'windows-874')} <somchai@customer.example>",
                 word_b("ขอใบเสร็จรับเงิน", "cp874").replace("cp874", "windows-874"),
                 OUTLOOK.format(topic="ขอใบเสร็จรับเงิน", language="th-TH")),
        "Content-Type: text/plain; charset=\"windows-874\"\nContent-Transfer-Encoding: quoted-printable\n\n",
        qp("สวัสดีครับ\n\nขอใบเสร็จรับเงิน “ค่าบริการ” เดือนพฤศจิกายน 1,200 € ด้วยครับ…\n", "cp874"), "\n"),
        "Thai Outlook in windows-874, with the curly quotes, euro and ellipsis only the Windows code page has",
        "created", subject="ขอใบเสร็จรับเงิน", from_name="สมชาย ใจดี",
        text_contains=["ขอใบเสร็จรับเงิน “ค่าบริการ” เดือนพฤศจิกายน 1,200 € ด้วยครับ…"]),
    fixture("outlook-iso-8859-8-i-hebrew", join(
        envelope("hebrew", f"{word_b('דוד כהן', 'iso-8859-8').replace('iso-8859-8', 'iso-8859-8-i')} "
                 "<david@customer.example>", word_b("בעיה בהתחברות", "iso-8859-8").replace("iso-8859-8", "iso-8859-8-i"),
                 OUTLOOK.format(topic="בעיה בהתחברות", language="he-IL")),
        "Content-Type: text/plain; charset=\"iso-8859-8-i\"\nContent-Transfer-Encoding: quoted-printable\n\n",
        qp("שלום,\n\nאני לא מצליח להתחבר למערכת מאז הבוקר.\n\nתודה, דוד\n", "iso-8859-8"), "\n"),
        "Hebrew labelled ISO-8859-8-I (logical order), a label Python does not know", "created",
        subject="בעיה בהתחברות", from_name="דוד כהן", text_contains=["אני לא מצליח להתחבר למערכת מאז הבוקר."]),
    fixture("sendmail-unknown-8bit", join(
        envelope("unknown8bit", "=?unknown-8bit?Q?J=FCrgen_M=FCller?= <juergen@customer.example>",
                 "=?unknown-8bit?Q?Pr=FCfung_der_Rechnung?=", "X-Mailer: mailx 12.5\n"),
        "Content-Type: text/plain; charset=unknown-8bit\nContent-Transfer-Encoding: 8bit\n\n",
        crlf("Grüße aus Köln – die Rechnung ist falsch.\n")),
        "An MTA relabelled raw 8-bit as unknown-8bit: Latin-1 bytes in the header words, UTF-8 in the body; "
        "each decided from its bytes", "created",
        subject="Prüfung der Rechnung", from_name="Jürgen Müller",
        text_contains=["Grüße aus Köln – die Rechnung ist falsch."]),
    fixture("php-mail-undeclared-utf8", join(
        envelope("php-undeclared", "Webshop Königstraße <shop@customer.example>", "Bestellung #4711 – Rückfrage",
                 "X-Mailer: PHP/8.2.7\nX-PHP-Originating-Script: 1000:contact.php\n"),
        "Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n",
        crlf("Name: Zoë Faßbender\nNachricht: Die Lieferadresse ist Königstraße 5, 50667 Köln.\n")),
        "A PHP contact form: raw UTF-8 subject and sender, text/plain with no charset parameter over UTF-8 "
        "bytes", "created",
        subject="Bestellung #4711 – Rückfrage", from_name="Webshop Königstraße",
        text_contains=["Name: Zoë Faßbender", "Die Lieferadresse ist Königstraße 5, 50667 Köln."]),
    fixture("javamail-us-ascii-label-utf8-bytes", join(
        envelope("javamail-ascii", "Portal <no-reply@customer.example>", "Neue Anfrage von Zoë",
                 "X-Mailer: JavaMail 1.4.7\nReply-To: zoe@customer.example\n"),
        "Content-Type: multipart/alternative; boundary=\"----=_Part_17_1466328410.1764000000000\"\n\n"
        "------=_Part_17_1466328410.1764000000000\n"
        "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 8bit\n\n",
        "Anfrage: Das Gerät zeigt „Störung 42“ an.\n",
        "\n------=_Part_17_1466328410.1764000000000\n"
        "Content-Type: text/html; charset=us-ascii\nContent-Transfer-Encoding: 8bit\n\n",
        "<p>Anfrage: Das Gerät zeigt „Störung 42“ an.</p>\n",
        "\n------=_Part_17_1466328410.1764000000000--\n"),
        "A Java portal labels both parts us-ascii and writes UTF-8 bytes (the commonest lie in mail)", "created",
        subject="Neue Anfrage von Zoë", text_contains=["Das Gerät zeigt „Störung 42“ an."],
        html_contains=["Das Gerät zeigt „Störung 42“ an."]),
    fixture("owa-utf-7", join(
        envelope("utf7", "=?utf-7?Q?Fran+AOc-ois_Gu+AOk-rin?= <francois@customer.example>",
                 "=?utf-7?Q?Probl+AOg-me_de_connexion?=", "X-Mailer: Microsoft Outlook Web Access 6.5\n"),
        "Content-Type: text/plain; charset=\"utf-7\"\nContent-Transfer-Encoding: 7bit\n\n",
        "Bonjour,\n\nJe ne peux plus me connecter depuis la mise +AOA- jour. 1 +- 1 = 2, m+AOo-me ici.\n"),
        "UTF-7 from old Outlook Web Access: +...- base64 runs, +- for a literal plus, in the body and the "
        "headers", "created",
        subject="Problème de connexion", from_name="François Guérin",
        text_contains=["Je ne peux plus me connecter depuis la mise à jour. 1 + 1 = 2, même ici."]),
    fixture("encoded-words-split-mid-character", join(
        envelope("splitwords", f"{split_q('Zoë Ångström', [3, 9])} <zoe@customer.example>",
                 split_b("日本語の件名が途中で切れる 🎉 テスト", [4, 11, 22, 38, 41]),
                 "X-Mailer: PHPMailer 5.2.9 (https://github.com/PHPMailer/PHPMailer)\n"),
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n",
        "Der Betreff wurde mitten im Zeichen umbrochen.\n"),
        "Mailers that fold long headers by bytes cut multi-byte characters (a kanji, an emoji, an ë) across "
        "encoded words: joined before decoding, nothing lost", "created",
        subject="日本語の件名が途中で切れる 🎉 テスト", from_name="Zoë Ångström",
        text_contains=["Der Betreff wurde mitten im Zeichen umbrochen."]),
    fixture("thunderbird-rfc2231-filenames", join(
        envelope("rfc2231", "Alice Customer <alice@customer.example>", word_b("Документы к заказу"),
                 "User-Agent: Mozilla Thunderbird\nContent-Language: ru\n"),
        "Content-Type: multipart/mixed; boundary=\"------------9kLw3YbRqXJ2m5nT0uVh4sAe\"\n\n"
        "This is a multi-part message in MIME format.\n--------------9kLw3YbRqXJ2m5nT0uVh4sAe\n"
        "Content-Type: text/plain; charset=UTF-8; format=flowed\nContent-Transfer-Encoding: 8bit\n\n",
        "Счёт и прайс-лист во вложении.\n",
        "\n--------------9kLw3YbRqXJ2m5nT0uVh4sAe\n"
        "Content-Type: application/pdf; name=\"=?UTF-8?B?0KHRh9GR0YIg4oSWNDIucGRm?=\"\n"
        "Content-Disposition: attachment;\n filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82%20%E2%84%96%34%32%2E%70%64%66\n"
        "Content-Transfer-Encoding: base64\n\n" + b64(b"%PDF-1.4\n%%EOF\n") + "\n"
        "--------------9kLw3YbRqXJ2m5nT0uVh4sAe\n"
        "Content-Type: application/vnd.ms-excel; name=\"Preis=E4nderung.xls\"\n"
        "Content-Disposition: attachment;\n filename*=iso-8859-1'de'Preis%E4nderung%202026.xls\n"
        "Content-Transfer-Encoding: base64\n\n" + b64(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") + "\n"
        "--------------9kLw3YbRqXJ2m5nT0uVh4sAe--\n"),
        "Thunderbird names attachments with RFC 2231 (filename*=UTF-8''…), one in ISO-8859-1 with a language "
        "tag; the name= parameter alongside is an encoded word", "created",
        subject="Документы к заказу", text_contains=["Счёт и прайс-лист во вложении."],
        attachments=[{"filename": "Счёт №42.pdf", "content_type": "application/pdf", "inline": False},
                     {"filename": "Preisänderung 2026.xls", "content_type": "application/vnd.ms-excel",
                      "inline": False}]),
    fixture("gmail-smtputf8-raw-headers", join(
        "Return-Path: <jose@customer.example>\n",
        envelope("smtputf8", "José Müller-Lüdenscheidt <jose@customer.example>",
                 "Überweisung für Bestellung №7 – Frage",
                 "X-Google-Smtp-Source: AGHT+IHqz8nLq7Wk0x5o3Kp1Ww==\n"),
        "Content-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: 8bit\n\n",
        "Hallo, ich habe 120 € überwiesen – ist das angekommen?\n"),
        "Raw UTF-8 in Subject and in the From display name (SMTPUTF8, RFC 6532), not encoded words", "created",
        subject="Überweisung für Bestellung №7 – Frage", from_name="José Müller-Lüdenscheidt",
        text_contains=["ich habe 120 € überwiesen – ist das angekommen?"]),
    fixture("iphone-emoji", join(
        envelope("emoji", f"{word_b('Sam 🚀 Rivera')} <sam@customer.example>", word_b("Danke! 🙏🎉 Alles läuft"),
                 "X-Mailer: iPhone Mail (21B101)\n"),
        "Content-Type: multipart/alternative; boundary=Apple-Mail-8E1F0C2A-5B3D-4F7A-9C11-2D4E6F8A0B1C\n"
        "Content-Transfer-Encoding: 7bit\n\n--Apple-Mail-8E1F0C2A-5B3D-4F7A-9C11-2D4E6F8A0B1C\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        + qp("Super, der Drucker geht wieder 👍🏽 Familie: 👨‍👩‍👧 Flagge: 🇩🇪\n\nVon meinem iPhone gesendet\n")
        + "\n--Apple-Mail-8E1F0C2A-5B3D-4F7A-9C11-2D4E6F8A0B1C\n"
        "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        + qp("<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\"></head>"
             "<body dir=\"auto\">Super, der Drucker geht wieder 👍🏽<div>Familie: 👨‍👩‍👧 Flagge: 🇩🇪</div>"
             "</body></html>\n")
        + "\n--Apple-Mail-8E1F0C2A-5B3D-4F7A-9C11-2D4E6F8A0B1C--\n"),
        "Emoji beyond the BMP: in B-encoded subject and sender name, skin tone modifiers, ZWJ families and "
        "flags in quoted-printable text and HTML", "created",
        subject="Danke! 🙏🎉 Alles läuft", from_name="Sam 🚀 Rivera",
        text_contains=["Super, der Drucker geht wieder 👍🏽", "Familie: 👨‍👩‍👧 Flagge: 🇩🇪"],
        html_contains=["👍🏽", "👨‍👩‍👧"]),
]
