"""The words of every notice, in every language the victim pages support. No Django.

A notice says only what the person chose to be told, and nothing a perpetrator who sees the
phone, the inbox or the post must not see (R29): no offence, no case, no immigration detail, and
never the passcode (that is given only in person or on the protection letter). The opening
notice carries the reference and how to sign in, so the passcode is never on the same channel.
Placeholders: ``{reference}``, ``{sign_in_url}``, ``{minimum_days}``, ``{contact}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Event(StrEnum):
    PROTECTION_OPENED = "protection_opened"
    TRANSITION_NOTICE = "transition_notice"
    PROTECTION_ENDED = "protection_ended"
    PROTECTION_REACTIVATED = "protection_reactivated"
    CASE_UPDATE = "case_update"
    ADVICE_PACK_READY = "advice_pack_ready"
    OVERRIDE_APPROVED = "override_approved"


# Events a person is sent whatever they opted into; case updates only when they asked (R28).
ALWAYS_SENT = frozenset(
    {
        Event.PROTECTION_OPENED,
        Event.TRANSITION_NOTICE,
        Event.PROTECTION_ENDED,
        Event.PROTECTION_REACTIVATED,
        Event.ADVICE_PACK_READY,
        Event.OVERRIDE_APPROVED,
    }
)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


_T: dict[str, dict[Event, tuple[str, str]]] = {
    "en": {
        Event.PROTECTION_OPENED: (
            "Your SafeShare reference",
            "Your SafeShare reference is {reference}.\n\nTo sign in, go to {sign_in_url} and "
            "enter this reference and the passcode you were given in person or on your letter. "
            "We never send the passcode with the reference.",
        ),
        Event.TRANSITION_NOTICE: (
            "Important: a change to your SafeShare record",
            "Your SafeShare record {reference} has changed. You are still covered.\n\nIt cannot "
            "end for at least {minimum_days} days from the day you get this message, and only "
            "after a person decides. If you think it should not end, contact {contact}.\n\n"
            "Sign in to read more: {sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "Your SafeShare record has ended",
            "Your SafeShare record {reference} has ended. If you have questions, contact "
            "{contact}.",
        ),
        Event.PROTECTION_REACTIVATED: (
            "Your SafeShare record is active again",
            "Your SafeShare record {reference} is active again. Sign in to read more: "
            "{sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "There is an update for you",
            "There is an update for you on SafeShare. Sign in to read it: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "Your advice is ready",
            "Your advice is ready on SafeShare. Sign in to read it: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "Important: please contact us about your SafeShare record",
            "There is an important change to your SafeShare record {reference}. Please contact "
            "{contact} as soon as you can.\n\nSign in to read more: {sign_in_url}",
        ),
    },
    "cy": {
        Event.PROTECTION_OPENED: (
            "Eich cyfeirnod SafeShare",
            "Eich cyfeirnod SafeShare yw {reference}.\n\nI fewngofnodi, ewch i {sign_in_url} a "
            "rhowch y cyfeirnod hwn a'r cod pas a roddwyd i chi wyneb yn wyneb neu ar eich "
            "llythyr. Nid ydym byth yn anfon y cod pas gyda'r cyfeirnod.",
        ),
        Event.TRANSITION_NOTICE: (
            "Pwysig: newid i'ch cofnod SafeShare",
            "Mae eich cofnod SafeShare {reference} wedi newid. Rydych yn dal wedi'ch diogelu."
            "\n\nNi all ddod i ben am o leiaf {minimum_days} diwrnod o'r diwrnod y cewch y neges "
            "hon, a dim ond ar ôl i berson benderfynu. Os ydych yn credu na ddylai ddod i ben, "
            "cysylltwch â {contact}.\n\nMewngofnodwch i ddarllen mwy: {sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "Mae eich cofnod SafeShare wedi dod i ben",
            "Mae eich cofnod SafeShare {reference} wedi dod i ben. Os oes gennych gwestiynau, "
            "cysylltwch â {contact}.",
        ),
        Event.PROTECTION_REACTIVATED: (
            "Mae eich cofnod SafeShare yn weithredol eto",
            "Mae eich cofnod SafeShare {reference} yn weithredol eto. Mewngofnodwch i ddarllen "
            "mwy: {sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "Mae diweddariad i chi",
            "Mae diweddariad i chi ar SafeShare. Mewngofnodwch i'w ddarllen: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "Mae eich cyngor yn barod",
            "Mae eich cyngor yn barod ar SafeShare. Mewngofnodwch i'w ddarllen: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "Pwysig: cysylltwch â ni am eich cofnod SafeShare",
            "Mae newid pwysig i'ch cofnod SafeShare {reference}. Cysylltwch â {contact} cyn "
            "gynted ag y gallwch.\n\nMewngofnodwch i ddarllen mwy: {sign_in_url}",
        ),
    },
    "ar": {
        Event.PROTECTION_OPENED: (
            "رقمك المرجعي في SafeShare",
            "رقمك المرجعي في SafeShare هو {reference}.\n\nلتسجيل الدخول، اذهب إلى {sign_in_url} "
            "وأدخل هذا الرقم المرجعي ورمز المرور الذي أُعطي لك شخصيًا أو في رسالتك. "
            "لا نرسل رمز المرور أبدًا مع الرقم المرجعي.",
        ),
        Event.TRANSITION_NOTICE: (
            "مهم: تغيير في سجلك في SafeShare",
            "تغيّر سجلك في SafeShare رقم {reference}. ما زلت مشمولًا بالحماية.\n\nلا يمكن أن "
            "ينتهي قبل {minimum_days} يومًا على الأقل من يوم استلامك هذه الرسالة، ولا ينتهي إلا "
            "بعد أن يقرر شخص ذلك. إذا كنت ترى أنه يجب ألا ينتهي، فاتصل بـ {contact}.\n\n"
            "سجّل الدخول لمعرفة المزيد: {sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "انتهى سجلك في SafeShare",
            "انتهى سجلك في SafeShare رقم {reference}. إذا كانت لديك أسئلة، فاتصل بـ {contact}.",
        ),
        Event.PROTECTION_REACTIVATED: (
            "أصبح سجلك في SafeShare نشطًا مرة أخرى",
            "أصبح سجلك في SafeShare رقم {reference} نشطًا مرة أخرى. سجّل الدخول لمعرفة المزيد: "
            "{sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "لديك تحديث جديد",
            "لديك تحديث جديد على SafeShare. سجّل الدخول لقراءته: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "نصيحتك جاهزة",
            "نصيحتك جاهزة على SafeShare. سجّل الدخول لقراءتها: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "مهم: يرجى التواصل معنا بخصوص سجلك في SafeShare",
            "هناك تغيير مهم في سجلك في SafeShare رقم {reference}. يرجى التواصل مع {contact} في "
            "أقرب وقت ممكن.\n\nسجّل الدخول لقراءة المزيد: {sign_in_url}",
        ),
    },
    "pl": {
        Event.PROTECTION_OPENED: (
            "Twój numer referencyjny SafeShare",
            "Twój numer referencyjny SafeShare to {reference}.\n\nAby się zalogować, wejdź na "
            "{sign_in_url} i wpisz ten numer oraz kod dostępu przekazany Ci osobiście lub w "
            "liście. Nigdy nie wysyłamy kodu dostępu razem z numerem.",
        ),
        Event.TRANSITION_NOTICE: (
            "Ważne: zmiana w Twoim rejestrze SafeShare",
            "Twój rejestr SafeShare {reference} zmienił się. Nadal jesteś chroniony.\n\nNie może "
            "się zakończyć przez co najmniej {minimum_days} dni od dnia otrzymania tej "
            "wiadomości i tylko po decyzji człowieka. Jeśli uważasz, że nie powinien się "
            "zakończyć, skontaktuj się z: {contact}.\n\nZaloguj się, aby dowiedzieć się więcej: "
            "{sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "Twój rejestr SafeShare został zakończony",
            "Twój rejestr SafeShare {reference} został zakończony. Jeśli masz pytania, "
            "skontaktuj się z: {contact}.",
        ),
        Event.PROTECTION_REACTIVATED: (
            "Twój rejestr SafeShare jest znowu aktywny",
            "Twój rejestr SafeShare {reference} jest znowu aktywny. Zaloguj się, aby dowiedzieć "
            "się więcej: {sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "Masz nową informację",
            "Masz nową informację w SafeShare. Zaloguj się, aby ją przeczytać: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "Twoja porada jest gotowa",
            "Twoja porada jest gotowa w SafeShare. Zaloguj się, aby ją przeczytać: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "Ważne: skontaktuj się z nami w sprawie Twojego rejestru SafeShare",
            "W Twoim rejestrze SafeShare {reference} nastąpiła ważna zmiana. Skontaktuj się "
            "jak najszybciej z: {contact}.\n\nZaloguj się, aby dowiedzieć się więcej: "
            "{sign_in_url}",
        ),
    },
    "ro": {
        Event.PROTECTION_OPENED: (
            "Referința dumneavoastră SafeShare",
            "Referința dumneavoastră SafeShare este {reference}.\n\nPentru a vă conecta, mergeți "
            "la {sign_in_url} și introduceți această referință și codul de acces primit în "
            "persoană sau în scrisoare. Nu trimitem niciodată codul de acces împreună cu "
            "referința.",
        ),
        Event.TRANSITION_NOTICE: (
            "Important: o schimbare în dosarul dumneavoastră SafeShare",
            "Dosarul dumneavoastră SafeShare {reference} s-a schimbat. Sunteți în continuare "
            "protejat.\n\nNu se poate încheia timp de cel puțin {minimum_days} zile de la data "
            "la care primiți acest mesaj și numai după ce o persoană decide. Dacă credeți că nu "
            "ar trebui să se încheie, contactați {contact}.\n\nConectați-vă pentru mai multe "
            "informații: {sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "Dosarul dumneavoastră SafeShare s-a încheiat",
            "Dosarul dumneavoastră SafeShare {reference} s-a încheiat. Dacă aveți întrebări, "
            "contactați {contact}.",
        ),
        Event.PROTECTION_REACTIVATED: (
            "Dosarul dumneavoastră SafeShare este din nou activ",
            "Dosarul dumneavoastră SafeShare {reference} este din nou activ. Conectați-vă pentru "
            "mai multe informații: {sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "Aveți o noutate",
            "Aveți o noutate în SafeShare. Conectați-vă pentru a o citi: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "Sfatul dumneavoastră este gata",
            "Sfatul dumneavoastră este gata în SafeShare. Conectați-vă pentru a-l citi: "
            "{sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "Important: vă rugăm să ne contactați despre dosarul dumneavoastră SafeShare",
            "Există o schimbare importantă în dosarul dumneavoastră SafeShare {reference}. Vă "
            "rugăm să contactați {contact} cât mai curând.\n\nConectați-vă pentru mai multe "
            "informații: {sign_in_url}",
        ),
    },
    "sq": {
        Event.PROTECTION_OPENED: (
            "Referenca juaj SafeShare",
            "Referenca juaj SafeShare është {reference}.\n\nPër t'u identifikuar, shkoni te "
            "{sign_in_url} dhe shkruani këtë referencë dhe kodin që ju është dhënë "
            "personalisht ose në letrën tuaj. Ne nuk e dërgojmë kurrë kodin bashkë me "
            "referencën.",
        ),
        Event.TRANSITION_NOTICE: (
            "E rëndësishme: një ndryshim në regjistrin tuaj SafeShare",
            "Regjistri juaj SafeShare {reference} ka ndryshuar. Jeni ende i mbrojtur.\n\nNuk "
            "mund të mbyllet për të paktën {minimum_days} ditë nga dita kur e merrni këtë "
            "mesazh, dhe vetëm pasi të vendosë një person. Nëse mendoni se nuk duhet të "
            "mbyllet, kontaktoni {contact}.\n\nIdentifikohuni për të lexuar më shumë: "
            "{sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "Regjistri juaj SafeShare është mbyllur",
            "Regjistri juaj SafeShare {reference} është mbyllur. Nëse keni pyetje, kontaktoni "
            "{contact}.",
        ),
        Event.PROTECTION_REACTIVATED: (
            "Regjistri juaj SafeShare është sërish aktiv",
            "Regjistri juaj SafeShare {reference} është sërish aktiv. Identifikohuni për të "
            "lexuar më shumë: {sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "Keni një njoftim të ri",
            "Keni një njoftim të ri në SafeShare. Identifikohuni për ta lexuar: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "Këshilla juaj është gati",
            "Këshilla juaj është gati në SafeShare. Identifikohuni për ta lexuar: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "E rëndësishme: ju lutemi na kontaktoni për regjistrin tuaj SafeShare",
            "Ka një ndryshim të rëndësishëm në regjistrin tuaj SafeShare {reference}. Ju "
            "lutemi kontaktoni {contact} sa më shpejt.\n\nIdentifikohuni për të lexuar më "
            "shumë: {sign_in_url}",
        ),
    },
    "es": {
        Event.PROTECTION_OPENED: (
            "Su referencia de SafeShare",
            "Su referencia de SafeShare es {reference}.\n\nPara entrar, vaya a {sign_in_url} y "
            "escriba esta referencia y el código de acceso que le dieron en persona o en su "
            "carta. Nunca enviamos el código de acceso junto con la referencia.",
        ),
        Event.TRANSITION_NOTICE: (
            "Importante: un cambio en su registro de SafeShare",
            "Su registro de SafeShare {reference} ha cambiado. Sigue teniendo cobertura.\n\nNo "
            "puede terminar antes de {minimum_days} días desde el día en que reciba este "
            "mensaje, y solo después de que una persona lo decida. Si cree que no debe "
            "terminar, póngase en contacto con {contact}.\n\nEntre para leer más: {sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "Su registro de SafeShare ha terminado",
            "Su registro de SafeShare {reference} ha terminado. Si tiene preguntas, póngase en "
            "contacto con {contact}.",
        ),
        Event.PROTECTION_REACTIVATED: (
            "Su registro de SafeShare vuelve a estar activo",
            "Su registro de SafeShare {reference} vuelve a estar activo. Entre para leer más: "
            "{sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "Hay una novedad para usted",
            "Hay una novedad para usted en SafeShare. Entre para leerla: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "Su asesoramiento está listo",
            "Su asesoramiento está listo en SafeShare. Entre para leerlo: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "Importante: póngase en contacto con nosotros sobre su registro de SafeShare",
            "Hay un cambio importante en su registro de SafeShare {reference}. Póngase en "
            "contacto con {contact} lo antes posible.\n\nEntre para leer más: {sign_in_url}",
        ),
    },
    "pt": {
        Event.PROTECTION_OPENED: (
            "A sua referência SafeShare",
            "A sua referência SafeShare é {reference}.\n\nPara entrar, vá a {sign_in_url} e "
            "escreva esta referência e o código de acesso que lhe deram pessoalmente ou na sua "
            "carta. Nunca enviamos o código de acesso com a referência.",
        ),
        Event.TRANSITION_NOTICE: (
            "Importante: uma alteração no seu registo SafeShare",
            "O seu registo SafeShare {reference} mudou. Continua a ter cobertura.\n\nNão pode "
            "terminar antes de {minimum_days} dias a contar do dia em que receber esta "
            "mensagem, e só depois de uma pessoa decidir. Se acha que não deve terminar, "
            "contacte {contact}.\n\nEntre para saber mais: {sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "O seu registo SafeShare terminou",
            "O seu registo SafeShare {reference} terminou. Se tiver perguntas, contacte "
            "{contact}.",
        ),
        Event.PROTECTION_REACTIVATED: (
            "O seu registo SafeShare está ativo outra vez",
            "O seu registo SafeShare {reference} está ativo outra vez. Entre para saber mais: "
            "{sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "Há uma novidade para si",
            "Há uma novidade para si no SafeShare. Entre para a ler: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "O seu aconselhamento está pronto",
            "O seu aconselhamento está pronto no SafeShare. Entre para o ler: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "Importante: contacte-nos sobre o seu registo SafeShare",
            "Há uma alteração importante no seu registo SafeShare {reference}. Contacte "
            "{contact} o mais depressa possível.\n\nEntre para saber mais: {sign_in_url}",
        ),
    },
    "zh-hans": {
        Event.PROTECTION_OPENED: (
            "您的 SafeShare 参考编号",
            "您的 SafeShare 参考编号是 {reference}。\n\n如需登录，请前往 {sign_in_url}，"
            "输入这个参考编号，以及当面交给您或写在您信上的访问码。我们绝不会把访问码和参考编号"
            "一起发送。",
        ),
        Event.TRANSITION_NOTICE: (
            "重要：您的 SafeShare 记录有变化",
            "您的 SafeShare 记录 {reference} 有变化。您仍在保障范围内。\n\n从您收到这条消息之日起"
            "至少 {minimum_days} 天内，它不会结束，而且只有在有人作出决定后才会结束。如果您认为它"
            "不应该结束，请联系 {contact}。\n\n登录查看详情：{sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "您的 SafeShare 记录已结束",
            "您的 SafeShare 记录 {reference} 已结束。如有疑问，请联系 {contact}。",
        ),
        Event.PROTECTION_REACTIVATED: (
            "您的 SafeShare 记录已重新生效",
            "您的 SafeShare 记录 {reference} 已重新生效。登录查看详情：{sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "您有一条新消息",
            "您在 SafeShare 上有一条新消息。登录阅读：{sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "您的建议已准备好",
            "您的建议已在 SafeShare 上准备好。登录阅读：{sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "重要：请就您的 SafeShare 记录与我们联系",
            "您的 SafeShare 记录 {reference} 有一项重要变化。请尽快联系 {contact}。\n\n"
            "登录查看详情：{sign_in_url}",
        ),
    },
    "vi": {
        Event.PROTECTION_OPENED: (
            "Mã tham chiếu SafeShare của bạn",
            "Mã tham chiếu SafeShare của bạn là {reference}.\n\nĐể đăng nhập, hãy vào "
            "{sign_in_url} và nhập mã tham chiếu này cùng mật mã bạn được trao trực tiếp hoặc "
            "trong thư. Chúng tôi không bao giờ gửi mật mã cùng với mã tham chiếu.",
        ),
        Event.TRANSITION_NOTICE: (
            "Quan trọng: hồ sơ SafeShare của bạn có thay đổi",
            "Hồ sơ SafeShare {reference} của bạn đã thay đổi. Bạn vẫn được bảo vệ.\n\nHồ sơ "
            "không thể kết thúc trong ít nhất {minimum_days} ngày kể từ ngày bạn nhận được tin "
            "nhắn này, và chỉ sau khi có người quyết định. Nếu bạn nghĩ hồ sơ không nên kết "
            "thúc, hãy liên hệ {contact}.\n\nĐăng nhập để biết thêm: {sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "Hồ sơ SafeShare của bạn đã kết thúc",
            "Hồ sơ SafeShare {reference} của bạn đã kết thúc. Nếu có câu hỏi, hãy liên hệ "
            "{contact}.",
        ),
        Event.PROTECTION_REACTIVATED: (
            "Hồ sơ SafeShare của bạn đã hoạt động trở lại",
            "Hồ sơ SafeShare {reference} của bạn đã hoạt động trở lại. Đăng nhập để biết thêm: "
            "{sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "Bạn có thông tin mới",
            "Bạn có thông tin mới trên SafeShare. Đăng nhập để đọc: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "Lời khuyên của bạn đã sẵn sàng",
            "Lời khuyên của bạn đã sẵn sàng trên SafeShare. Đăng nhập để đọc: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "Quan trọng: vui lòng liên hệ với chúng tôi về hồ sơ SafeShare của bạn",
            "Hồ sơ SafeShare {reference} của bạn có một thay đổi quan trọng. Vui lòng liên hệ "
            "{contact} càng sớm càng tốt.\n\nĐăng nhập để biết thêm: {sign_in_url}",
        ),
    },
    "bn": {
        Event.PROTECTION_OPENED: (
            "আপনার SafeShare রেফারেন্স",
            "আপনার SafeShare রেফারেন্স হলো {reference}।\n\nসাইন ইন করতে {sign_in_url} এ যান এবং "
            "এই রেফারেন্স ও পাসকোডটি লিখুন, যা আপনাকে সরাসরি বা আপনার চিঠিতে দেওয়া হয়েছে। "
            "আমরা কখনও রেফারেন্সের সাথে পাসকোড পাঠাই না।",
        ),
        Event.TRANSITION_NOTICE: (
            "জরুরি: আপনার SafeShare রেকর্ডে একটি পরিবর্তন",
            "আপনার SafeShare রেকর্ড {reference} পরিবর্তিত হয়েছে। আপনি এখনও সুরক্ষিত আছেন।\n\n"
            "এই বার্তা পাওয়ার দিন থেকে অন্তত {minimum_days} দিন এটি শেষ হতে পারবে না, এবং "
            "একজন মানুষ সিদ্ধান্ত নেওয়ার পরেই কেবল শেষ হতে পারে। আপনি যদি মনে করেন এটি শেষ "
            "হওয়া উচিত নয়, তাহলে যোগাযোগ করুন: {contact}।\n\nআরও পড়তে সাইন ইন করুন: "
            "{sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "আপনার SafeShare রেকর্ড শেষ হয়েছে",
            "আপনার SafeShare রেকর্ড {reference} শেষ হয়েছে। আপনার কোনো প্রশ্ন থাকলে যোগাযোগ "
            "করুন: {contact}।",
        ),
        Event.PROTECTION_REACTIVATED: (
            "আপনার SafeShare রেকর্ড আবার সক্রিয় হয়েছে",
            "আপনার SafeShare রেকর্ড {reference} আবার সক্রিয় হয়েছে। আরও পড়তে সাইন ইন করুন: {sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "আপনার জন্য একটি নতুন খবর আছে",
            "SafeShare-এ আপনার জন্য একটি নতুন খবর আছে। এটি পড়তে সাইন ইন করুন: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "আপনার পরামর্শ তৈরি",
            "SafeShare-এ আপনার পরামর্শ তৈরি। এটি পড়তে সাইন ইন করুন: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "জরুরি: আপনার SafeShare রেকর্ড নিয়ে দয়া করে আমাদের সাথে যোগাযোগ করুন",
            "আপনার SafeShare রেকর্ড {reference}-এ একটি গুরুত্বপূর্ণ পরিবর্তন হয়েছে। যত "
            "তাড়াতাড়ি সম্ভব দয়া করে যোগাযোগ করুন: {contact}।\n\nআরও পড়তে সাইন ইন করুন: "
            "{sign_in_url}",
        ),
    },
    "ur": {
        Event.PROTECTION_OPENED: (
            "آپ کا SafeShare حوالہ نمبر",
            "آپ کا SafeShare حوالہ نمبر {reference} ہے۔\n\nسائن اِن کرنے کے لیے {sign_in_url} پر "
            "جائیں اور یہ حوالہ نمبر اور وہ پاس کوڈ درج کریں جو آپ کو خود یا آپ کے خط میں دیا گیا "
            "تھا۔ ہم پاس کوڈ کبھی بھی حوالہ نمبر کے ساتھ نہیں بھیجتے۔",
        ),
        Event.TRANSITION_NOTICE: (
            "اہم: آپ کے SafeShare ریکارڈ میں ایک تبدیلی",
            "آپ کا SafeShare ریکارڈ {reference} تبدیل ہو گیا ہے۔ آپ اب بھی محفوظ ہیں۔\n\nیہ "
            "پیغام ملنے کے دن سے کم از کم {minimum_days} دن تک یہ ختم نہیں ہو سکتا، اور صرف اس "
            "وقت ختم ہو سکتا ہے جب کوئی شخص فیصلہ کرے۔ اگر آپ سمجھتے ہیں کہ اسے ختم نہیں ہونا "
            "چاہیے تو اس سے رابطہ کریں: {contact}۔\n\nمزید پڑھنے کے لیے سائن اِن کریں: "
            "{sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "آپ کا SafeShare ریکارڈ ختم ہو گیا ہے",
            "آپ کا SafeShare ریکارڈ {reference} ختم ہو گیا ہے۔ اگر آپ کے کوئی سوالات ہیں تو اس "
            "سے رابطہ کریں: {contact}۔",
        ),
        Event.PROTECTION_REACTIVATED: (
            "آپ کا SafeShare ریکارڈ دوبارہ فعال ہے",
            "آپ کا SafeShare ریکارڈ {reference} دوبارہ فعال ہے۔ مزید پڑھنے کے لیے سائن اِن کریں: "
            "{sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "آپ کے لیے ایک نئی اطلاع ہے",
            "SafeShare پر آپ کے لیے ایک نئی اطلاع ہے۔ اسے پڑھنے کے لیے سائن اِن کریں: "
            "{sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "آپ کا مشورہ تیار ہے",
            "SafeShare پر آپ کا مشورہ تیار ہے۔ اسے پڑھنے کے لیے سائن اِن کریں: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "اہم: براہِ کرم اپنے SafeShare ریکارڈ کے بارے میں ہم سے رابطہ کریں",
            "آپ کے SafeShare ریکارڈ {reference} میں ایک اہم تبدیلی ہوئی ہے۔ براہِ کرم جتنی جلدی "
            "ہو سکے اس سے رابطہ کریں: {contact}۔\n\nمزید پڑھنے کے لیے سائن اِن کریں: "
            "{sign_in_url}",
        ),
    },
    "pa": {
        Event.PROTECTION_OPENED: (
            "ਤੁਹਾਡਾ SafeShare ਹਵਾਲਾ ਨੰਬਰ",
            "ਤੁਹਾਡਾ SafeShare ਹਵਾਲਾ ਨੰਬਰ {reference} ਹੈ।\n\nਸਾਈਨ ਇਨ ਕਰਨ ਲਈ {sign_in_url} 'ਤੇ ਜਾਓ "
            "ਅਤੇ ਇਹ ਹਵਾਲਾ ਨੰਬਰ ਅਤੇ ਉਹ ਪਾਸਕੋਡ ਭਰੋ ਜੋ ਤੁਹਾਨੂੰ ਆਹਮੋ-ਸਾਹਮਣੇ ਜਾਂ ਤੁਹਾਡੀ ਚਿੱਠੀ ਵਿੱਚ "
            "ਦਿੱਤਾ ਗਿਆ ਸੀ। ਅਸੀਂ ਕਦੇ ਵੀ ਪਾਸਕੋਡ ਹਵਾਲਾ ਨੰਬਰ ਦੇ ਨਾਲ ਨਹੀਂ ਭੇਜਦੇ।",
        ),
        Event.TRANSITION_NOTICE: (
            "ਜ਼ਰੂਰੀ: ਤੁਹਾਡੇ SafeShare ਰਿਕਾਰਡ ਵਿੱਚ ਇੱਕ ਤਬਦੀਲੀ",
            "ਤੁਹਾਡਾ SafeShare ਰਿਕਾਰਡ {reference} ਬਦਲ ਗਿਆ ਹੈ। ਤੁਸੀਂ ਅਜੇ ਵੀ ਸੁਰੱਖਿਅਤ ਹੋ।\n\nਇਹ "
            "ਸੁਨੇਹਾ ਮਿਲਣ ਦੇ ਦਿਨ ਤੋਂ ਘੱਟੋ-ਘੱਟ {minimum_days} ਦਿਨਾਂ ਤੱਕ ਇਹ ਖ਼ਤਮ ਨਹੀਂ ਹੋ ਸਕਦਾ, ਅਤੇ "
            "ਸਿਰਫ਼ ਉਦੋਂ ਹੀ ਖ਼ਤਮ ਹੋ ਸਕਦਾ ਹੈ ਜਦੋਂ ਕੋਈ ਵਿਅਕਤੀ ਫ਼ੈਸਲਾ ਕਰੇ। ਜੇ ਤੁਹਾਨੂੰ ਲੱਗਦਾ ਹੈ ਕਿ "
            "ਇਹ ਖ਼ਤਮ ਨਹੀਂ ਹੋਣਾ ਚਾਹੀਦਾ, ਤਾਂ ਇਸ ਨਾਲ ਸੰਪਰਕ ਕਰੋ: {contact}।\n\nਹੋਰ ਪੜ੍ਹਨ ਲਈ ਸਾਈਨ "
            "ਇਨ ਕਰੋ: {sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "ਤੁਹਾਡਾ SafeShare ਰਿਕਾਰਡ ਖ਼ਤਮ ਹੋ ਗਿਆ ਹੈ",
            "ਤੁਹਾਡਾ SafeShare ਰਿਕਾਰਡ {reference} ਖ਼ਤਮ ਹੋ ਗਿਆ ਹੈ। ਜੇ ਤੁਹਾਡੇ ਕੋਈ ਸਵਾਲ ਹਨ, ਤਾਂ ਇਸ "
            "ਨਾਲ ਸੰਪਰਕ ਕਰੋ: {contact}।",
        ),
        Event.PROTECTION_REACTIVATED: (
            "ਤੁਹਾਡਾ SafeShare ਰਿਕਾਰਡ ਦੁਬਾਰਾ ਚਾਲੂ ਹੈ",
            "ਤੁਹਾਡਾ SafeShare ਰਿਕਾਰਡ {reference} ਦੁਬਾਰਾ ਚਾਲੂ ਹੈ। ਹੋਰ ਪੜ੍ਹਨ ਲਈ ਸਾਈਨ ਇਨ ਕਰੋ: {sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "ਤੁਹਾਡੇ ਲਈ ਇੱਕ ਨਵੀਂ ਜਾਣਕਾਰੀ ਹੈ",
            "SafeShare 'ਤੇ ਤੁਹਾਡੇ ਲਈ ਇੱਕ ਨਵੀਂ ਜਾਣਕਾਰੀ ਹੈ। ਇਸਨੂੰ ਪੜ੍ਹਨ ਲਈ ਸਾਈਨ ਇਨ ਕਰੋ: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "ਤੁਹਾਡੀ ਸਲਾਹ ਤਿਆਰ ਹੈ",
            "SafeShare 'ਤੇ ਤੁਹਾਡੀ ਸਲਾਹ ਤਿਆਰ ਹੈ। ਇਸਨੂੰ ਪੜ੍ਹਨ ਲਈ ਸਾਈਨ ਇਨ ਕਰੋ: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "ਜ਼ਰੂਰੀ: ਕਿਰਪਾ ਕਰਕੇ ਆਪਣੇ SafeShare ਰਿਕਾਰਡ ਬਾਰੇ ਸਾਡੇ ਨਾਲ ਸੰਪਰਕ ਕਰੋ",
            "ਤੁਹਾਡੇ SafeShare ਰਿਕਾਰਡ {reference} ਵਿੱਚ ਇੱਕ ਜ਼ਰੂਰੀ ਤਬਦੀਲੀ ਹੋਈ ਹੈ। ਕਿਰਪਾ ਕਰਕੇ "
            "ਜਿੰਨੀ ਜਲਦੀ ਹੋ ਸਕੇ ਇਸ ਨਾਲ ਸੰਪਰਕ ਕਰੋ: {contact}।\n\nਹੋਰ ਪੜ੍ਹਨ ਲਈ ਸਾਈਨ ਇਨ ਕਰੋ: "
            "{sign_in_url}",
        ),
    },
    "ti": {
        Event.PROTECTION_OPENED: (
            "ናይ SafeShare መወከሲ ቑጽርኹም",
            "ናይ SafeShare መወከሲ ቑጽርኹም {reference} እዩ።\n\nንምእታው ናብ {sign_in_url} ኪዱ፡ ነዚ "
            "መወከሲ ቑጽሪን ብኣካል ወይ ኣብ ደብዳበኹም ዝተዋህበኩም ምስጢራዊ ኮድን ኣእትዉ። ምስጢራዊ ኮድ "
            "ምስ መወከሲ ቑጽሪ ፈጺምና ኣይንሰድድን ኢና።",
        ),
        Event.TRANSITION_NOTICE: (
            "ኣገዳሲ፦ ኣብ ናይ SafeShare መዝገብኩም ለውጢ ኣሎ",
            "ናይ SafeShare መዝገብኩም {reference} ተቐይሩ ኣሎ። ሕጂ እውን ሓለዋ ኣለኩም።\n\nነዚ "
            "መልእኽቲ ካብ እትቕበልሉ መዓልቲ ጀሚሩ እንተወሓደ ን{minimum_days} መዓልታት ክውዳእ "
            "ኣይክእልን፡ ሰብ ድሕሪ ዝውስን ጥራይ እዩ ክውዳእ ዝኽእል። ክውዳእ የብሉን ኢልኩም "
            "እንተሓሲብኩም፡ ነዚ ተወከሱ፦ {contact}።\n\nዝያዳ ንምንባብ እተዉ፦ {sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "ናይ SafeShare መዝገብኩም ተዛዚሙ",
            "ናይ SafeShare መዝገብኩም {reference} ተዛዚሙ እዩ። ሕቶ እንተሃልዩኩም፡ ነዚ ተወከሱ፦ {contact}።",
        ),
        Event.PROTECTION_REACTIVATED: (
            "ናይ SafeShare መዝገብኩም ከም ብሓድሽ ንጡፍ እዩ",
            "ናይ SafeShare መዝገብኩም {reference} ከም ብሓድሽ ንጡፍ እዩ። ዝያዳ ንምንባብ እተዉ፦ {sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "ሓድሽ ሓበሬታ ኣሎኩም",
            "ኣብ SafeShare ሓድሽ ሓበሬታ ኣሎኩም። ንምንባቡ እተዉ፦ {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "ምኽርኹም ድሉው እዩ",
            "ኣብ SafeShare ምኽርኹም ድሉው እዩ። ንምንባቡ እተዉ፦ {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "ኣገዳሲ፦ በጃኹም ብዛዕባ ናይ SafeShare መዝገብኩም ተወከሱና",
            "ኣብ ናይ SafeShare መዝገብኩም {reference} ኣገዳሲ ለውጢ ኣሎ። በጃኹም ብዝተኻእለ መጠን "
            "ቀልጢፍኩም ነዚ ተወከሱ፦ {contact}።\n\nዝያዳ ንምንባብ እተዉ፦ {sign_in_url}",
        ),
    },
    "fa": {
        Event.PROTECTION_OPENED: (
            "شمارهٔ مرجع SafeShare شما",
            "شمارهٔ مرجع SafeShare شما {reference} است.\n\nبرای ورود، به {sign_in_url} بروید و "
            "این شمارهٔ مرجع و رمز عبوری را که حضوری یا در نامه‌تان به شما داده شده است وارد "
            "کنید. ما هرگز رمز عبور را همراه شمارهٔ مرجع نمی‌فرستیم.",
        ),
        Event.TRANSITION_NOTICE: (
            "مهم: تغییری در پروندهٔ SafeShare شما",
            "پروندهٔ SafeShare شما با شمارهٔ {reference} تغییر کرده است. شما هنوز تحت حمایت "
            "هستید.\n\nاین حمایت دست‌کم تا {minimum_days} روز از روزی که این پیام را دریافت "
            "می‌کنید نمی‌تواند پایان یابد، و فقط پس از تصمیم یک انسان پایان می‌یابد. اگر فکر "
            "می‌کنید نباید پایان یابد، تماس بگیرید با: {contact}.\n\nبرای خواندن بیشتر وارد "
            "شوید: {sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "پروندهٔ SafeShare شما پایان یافته است",
            "پروندهٔ SafeShare شما با شمارهٔ {reference} پایان یافته است. اگر پرسشی دارید، "
            "تماس بگیرید با: {contact}.",
        ),
        Event.PROTECTION_REACTIVATED: (
            "پروندهٔ SafeShare شما دوباره فعال است",
            "پروندهٔ SafeShare شما با شمارهٔ {reference} دوباره فعال است. برای خواندن بیشتر "
            "وارد شوید: {sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "خبر تازه‌ای برای شما هست",
            "در SafeShare خبر تازه‌ای برای شما هست. برای خواندن آن وارد شوید: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "راهنمایی شما آماده است",
            "راهنمایی شما در SafeShare آماده است. برای خواندن آن وارد شوید: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "مهم: لطفاً دربارهٔ پروندهٔ SafeShare خود با ما تماس بگیرید",
            "در پروندهٔ SafeShare شما با شمارهٔ {reference} تغییر مهمی رخ داده است. لطفاً هر چه "
            "زودتر تماس بگیرید با: {contact}.\n\nبرای خواندن بیشتر وارد شوید: {sign_in_url}",
        ),
    },
    "ckb": {
        Event.PROTECTION_OPENED: (
            "ژمارەی سەرچاوەکەت لە SafeShare",
            "ژمارەی سەرچاوەکەت لە SafeShare بریتییە لە {reference}.\n\nبۆ چوونەژوورەوە، بڕۆ بۆ "
            "{sign_in_url} و ئەم ژمارەیە و ئەو وشەی نهێنییە بنووسە کە بە دەستی خۆت یان لە "
            "نامەکەتدا پێت دراوە. ئێمە هەرگیز وشەی نهێنی لەگەڵ ژمارەی سەرچاوەدا نانێرین.",
        ),
        Event.TRANSITION_NOTICE: (
            "گرنگ: گۆڕانکارییەک لە تۆمارەکەت لە SafeShare",
            "تۆمارەکەت لە SafeShare ({reference}) گۆڕاوە. تۆ هێشتا پارێزراویت.\n\nلانیکەم بۆ "
            "ماوەی {minimum_days} ڕۆژ لەو ڕۆژەوەی ئەم نامەیە وەردەگریت کۆتایی نایەت، و تەنها "
            "دوای ئەوەی کەسێک بڕیار بدات کۆتایی دێت. ئەگەر پێت وایە نابێت کۆتایی بێت، پەیوەندی "
            "بکە بە: {contact}.\n\nبۆ خوێندنەوەی زیاتر بچۆ ژوورەوە: {sign_in_url}",
        ),
        Event.PROTECTION_ENDED: (
            "تۆمارەکەت لە SafeShare کۆتایی هاتووە",
            "تۆمارەکەت لە SafeShare ({reference}) کۆتایی هاتووە. ئەگەر پرسیارت هەیە، پەیوەندی "
            "بکە بە: {contact}.",
        ),
        Event.PROTECTION_REACTIVATED: (
            "تۆمارەکەت لە SafeShare دووبارە چالاکە",
            "تۆمارەکەت لە SafeShare ({reference}) دووبارە چالاکە. بۆ خوێندنەوەی زیاتر بچۆ "
            "ژوورەوە: {sign_in_url}",
        ),
        Event.CASE_UPDATE: (
            "زانیارییەکی نوێ بۆ تۆ هەیە",
            "لە SafeShare زانیارییەکی نوێ بۆ تۆ هەیە. بۆ خوێندنەوەی بچۆ ژوورەوە: {sign_in_url}",
        ),
        Event.ADVICE_PACK_READY: (
            "ئامۆژگارییەکەت ئامادەیە",
            "ئامۆژگارییەکەت لە SafeShare ئامادەیە. بۆ خوێندنەوەی بچۆ ژوورەوە: {sign_in_url}",
        ),
        Event.OVERRIDE_APPROVED: (
            "گرنگ: تکایە سەبارەت بە تۆمارەکەت لە SafeShare پەیوەندیمان پێوە بکە",
            "گۆڕانکارییەکی گرنگ لە تۆمارەکەت لە SafeShare ({reference}) هەیە. تکایە هەرچی "
            "زووتر پەیوەندی بکە بە: {contact}.\n\nبۆ خوێندنەوەی زیاتر بچۆ ژوورەوە: "
            "{sign_in_url}",
        ),
    },
}

LANGUAGES = frozenset(_T)

# The line that opens the English copy of a notice in a language no qualified translator has
# reviewed yet (ADR 0046), in that language. The letter channel sets what follows it in English.
ENGLISH_MARK = "\n\n— — —\n"
_ENGLISH_LABEL = {
    "cy": "Yr un peth yn Saesneg:",
    "ar": "النص نفسه باللغة الإنجليزية:",
    "pl": "To samo po angielsku:",
    "ro": "Același text în engleză:",
    "sq": "E njëjta gjë në anglisht:",
    "vi": "Nội dung tương tự bằng tiếng Anh:",
    "bn": "একই লেখা ইংরেজিতে:",
    "ur": "یہی متن انگریزی میں:",
    "pa": "ਇਹੀ ਲਿਖਤ ਅੰਗਰੇਜ਼ੀ ਵਿੱਚ:",
    "ti": "እዚ ጽሑፍ ብእንግሊዝኛ፦",
    "fa": "همین متن به انگلیسی:",
    "ckb": "هەمان دەق بە ئینگلیزی:",
    "zh-hans": "英文原文：",
    "es": "Lo mismo en inglés:",
    "pt": "O mesmo em inglês:",
}


def _filled(
    texts: dict[Event, tuple[str, str]], event: Event, values: dict[str, object]
) -> Message:
    subject, body = texts[Event(event)]
    return Message(subject=subject.format(**values), body=body.format(**values))


def render(
    event: Event, language: str, *, english_beside: bool = False, **values: object
) -> Message:
    """The notice for ``event`` in ``language`` (English when the language has no text). With
    ``english_beside`` (a language not yet reviewed), the English follows the translation."""
    texts = _T.get(language, _T["en"])
    message = _filled(texts, event, values)
    if not english_beside or texts is _T["en"]:
        return message
    english = _filled(_T["en"], event, values)
    label = _ENGLISH_LABEL.get(language, "In English:")
    return Message(
        subject=f"{message.subject} / {english.subject}",
        body=f"{message.body}{ENGLISH_MARK}{label}\n\n{english.body}",
    )


def split_english(body: str) -> tuple[str, str]:
    """A notice's body, and the English copy after ``ENGLISH_MARK`` (empty if none)."""
    translated, _, english = body.partition(ENGLISH_MARK)
    return translated, english


_REPRESENTATIVE_LABELS = {
    Event.PROTECTION_OPENED: "their protection was opened",
    Event.TRANSITION_NOTICE: "the end-of-protection notice",
    Event.PROTECTION_ENDED: "their protection ended",
    Event.PROTECTION_REACTIVATED: "their protection is active again",
    Event.CASE_UPDATE: "an update on their case",
    Event.ADVICE_PACK_READY: "their advice is ready",
    Event.OVERRIDE_APPROVED: "an important change: please contact them and the police",
}


def render_for_representative(event: Event, **values: object) -> Message:
    """The notice to a person's advocate, who acts as their representative with consent. In
    English (the advocates' pages are). It names the protection and the kind of notice only;
    the advocate reads the rest on their pages. Placeholders: ``{reference}``,
    ``{advocate_url}``."""
    label = _REPRESENTATIVE_LABELS[Event(event)]
    return Message(
        subject="SafeShare: a notice for a person you support",
        body=(
            "SafeShare sent a notice to a person you support, protection {reference}: "
            + label
            + ".\n\nSign in to SafeShare to read it: {advocate_url}"
        ).format(**values),
    )
