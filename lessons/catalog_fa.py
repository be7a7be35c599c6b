"""The Persian side of the catalog: each lesson's title and summary in Persian, from which
lessons/course_map.py builds the course map in README.fa.md.

Keyed by lesson number; tests/test_persian.py checks that every lesson in the catalog has an
entry here and a README.fa.md. The words follow docs/glossary.fa.md.
"""

from __future__ import annotations

from typing import NamedTuple


class PersianLesson(NamedTuple):
    title: str
    summary: str


LESSONS_FA: dict[int, PersianLesson] = {
    0: PersianLesson(
        "نصب و بررسی استک",
        "یک نصب RabbitMQ از چه ساخته شده (ماشین مجازی Erlang، نام نود، cookie، پوشه‌ها، پیکربندی، افزونه‌ها)؛ "
        "ابزارهای تشخیص؛ روشن و خاموش کردن افزونه‌ها؛ celery report.",
    ),
    1: PersianLesson(
        "سلام دنیا",
        "یک تولیدکننده، یک صف، یک مصرف‌کننده: exchange پیش‌فرض، کلید مسیریابی برابر نام صف، auto-ack.",
    ),
    2: PersianLesson(
        "صف‌های کار",
        "تقسیم تسک‌ها میان ورکرها: round-robin، ack دستی، ماندگاری، و توزیع منصفانه با prefetch.",
    ),
    3: PersianLesson(
        "انتشار و اشتراک (publish/subscribe)",
        "فرق exchange و صف: exchange از نوع fanout از هر پیام یک نسخه به هر صفی می‌دهد که به آن bind شده؛ "
        "صف‌ها انحصاری‌اند و نامشان را سرور می‌گذارد.",
    ),
    4: PersianLesson(
        "مسیریابی (direct exchange)",
        "exchange از نوع direct با کلید مسیریابی کار می‌کند: binding key برابر کلید مسیریابی، "
        "چند binding برای یک صف، و پیامی که کلیدش با هیچ binding جور نشود دور ریخته می‌شود.",
    ),
    5: PersianLesson(
        "مسیریابی با الگو (topic)",
        "exchange از نوع topic با الگو مسیریابی می‌کند: * یعنی دقیقاً یک کلمه و # یعنی صفر یا چند کلمه؛ "
        "# به‌تنهایی همان fanout است و الگوی بدون wildcard همان direct.",
    ),
    6: PersianLesson(
        "exchange از نوع headers",
        "مسیریابی با مقدار سرآیندها به جای کلید مسیریابی: x-match برابر all یا any، "
        "و این‌که کی آن را به topic ترجیح دهیم.",
    ),
    7: PersianLesson(
        "RPC",
        "درخواست و پاسخ: reply_to، correlation_id، سرورهایی با prefetch 1، مهلت پاسخ بدون busy-wait، "
        "پاسخ خطا، و direct reply-to.",
    ),
    8: PersianLesson(
        "تأیید ناشر و پیام‌های مسیریابی‌نشده",
        "مطمئن شوید بروکر پیامتان را گرفته: تأیید یکی‌یکی، دسته‌ای و ناهمگام؛ پرچم mandatory و exchange جایگزین.",
    ),
    9: PersianLesson(
        "پیام‌های مرده، TTL، اولویت و صف‌های کوئروم",
        "پیام‌های ردشده، منقضی‌شده و سرریزشده کجا می‌روند؛ تلاش دوباره با تأخیر و یک parking lot؛ "
        "اولویت‌ها؛ سقف تحویل در صف کوئروم.",
    ),
    10: PersianLesson(
        "افزونهٔ مدیریت و پایش بروکر",
        "رابط وب و HTTP API افزونهٔ مدیریت: صف‌ها، نرخ‌ها، اتصال‌ها، vhostها، کاربران، definitions؛ "
        "و یک ناظر زنده.",
    ),
    11: PersianLesson(
        "از pika به kombu",
        "همان صف کار، این بار با kombu: Exchange، Queue، Producer، ConsumerMixin، سیاست‌های تلاش دوباره؛ "
        "یک کد روی RabbitMQ و Redis.",
    ),
    12: PersianLesson(
        "نخستین اپ Celery",
        "یک اپ، یک تسک، یک ورکر: delay و apply_async (countdown، expires، queue)، و پیام تسک در پشت صحنه.",
    ),
    13: PersianLesson(
        "نتیجه‌ها و وضعیت تسک",
        "بک‌اند نتایج Redis در برابر rpc://، وضعیت‌های PENDING/STARTED/SUCCESS/FAILURE، مهلت get، "
        "ignore_result، result_expires، DisabledBackend.",
    ),
    14: PersianLesson(
        "تسک‌های قابل اعتماد",
        "تلاش دوباره با backoff، محدودیت زمانی نرم و سخت، محدودیت نرخ، و acks_late همراه "
        "reject_on_worker_lost وقتی ورکر از کار می‌افتد.",
    ),
    15: PersianLesson(
        "پیشرفت کارهای طولانی",
        "وضعیت سفارشی PROGRESS با update_state که از بک‌اند نتایج خوانده می‌شود: نوار پیشرفت زنده برای چند کار هم‌زمان.",
    ),
    16: PersianLesson(
        "گردش‌کار (canvas)",
        "signature، chain، group، chord (گزارشی که از چند کوئری جمع می‌شود)، map/starmap/chunks، "
        "signatureهای immutable، و chordی که شکست می‌خورد.",
    ),
    17: PersianLesson(
        "مسیریابی تسک و افزودن ورکر",
        "task_routes به صف‌های media و default، ورکرهای نام‌دار با -Q، prefetch در برابر تسک‌های طولانی، "
        "اولویت‌ها، و control API.",
    ),
    18: PersianLesson(
        "تسک‌های دوره‌ای با beat",
        "celery beat کنار یک ورکر: زمان‌بندی با فاصلهٔ ثابت و با crontab، فایل schedule، "
        "و این‌که چرا فقط یک beat باید اجرا شود.",
    ),
    19: PersianLesson(
        "پایش Celery با Flower",
        "تاریخچهٔ تسک‌ها، شمارنده‌های ورکر، صف‌ها و /metrics از API احراز هویت‌شدهٔ Flower؛ نمودارها؛ "
        "PROGRESS در برابر رویدادها؛ و یک مرورگر واقعی.",
    ),
    20: PersianLesson(
        "پیکربندی",
        "config_from_object، تغییر تنظیمات با متغیرهای محیطی، celery inspect conf، تنظیمات production "
        "و دلیل هرکدام، و دو اشتباه رایج.",
    ),
    21: PersianLesson(
        "اپ Flask که کارهای زمان‌بر را به Celery می‌سپارد",
        "POST بی‌درنگ با 202 و نشانی کار پاسخ می‌دهد؛ GET وضعیت، PROGRESS و نتیجه را نشان می‌دهد؛ "
        "صفحه‌ای با نوار پیشرفت؛ خطاهای 404 و 400 به شکل JSON.",
    ),
    22: PersianLesson(
        "Celery درون Django",
        "پروژهٔ Django که همان‌طور که راهنمای Celery می‌گوید به آن وصل شده (config_from_object، "
        "autodiscover_tasks، shared_task)؛ delay_on_commit در برابر تسکی که پیش از commit اجرا می‌شود.",
    ),
    23: PersianLesson(
        "یک بروکر، چند زبان",
        "PHP، Ruby، Java، Go و Node.js کنار Python: یک صف کار JSON (ack، prefetch، پیام‌های مرده) "
        "و تسک‌های Celery (پروتکل v2) که از هر زبان فرستاده می‌شوند، با نتیجه از Redis یا rpc://.",
    ),
    24: PersianLesson(
        "ورکرها به شکل سرویس",
        "ورکر و beat زیر supervisord، unitهای systemd سنجیده و سخت‌گیرانه‌شده، و celery multi؛ خاموشی گرم در برابر سرد، راه‌اندازی دوباره‌ای "
        "که چیزی گم نمی‌کند، عوض کردن پروسه‌های pool که حافظه نشت می‌دهند، health check.",
    ),
    25: PersianLesson(
        "کلاستر RabbitMQ و صف‌های کوئروم",
        "سه نود در یک کلاستر؛ یک صف کوئروم روی هر سه؛ توقف نود رهبر زیر بار بی آن‌که چیزی گم شود؛ "
        "failover کلاینت‌ها؛ اکثریت یعنی چه.",
    ),
    26: PersianLesson(
        "بروکر زیر فشار",
        "روی نودی جداگانه: هشدار حافظه و دیسک که ناشران را مسدود می‌کند، سقف طول صف، مهلت مصرف‌کننده، "
        "heartbeat، و ورکر Celery که دوباره وصل می‌شود.",
    ),
    27: PersianLesson(
        "امنیت: TLS، کاربران، vhostها",
        "TLS با یک CA دورانداختنی برای pika، kombu، Celery و management API؛ یک کاربر و یک vhost برای هر اپ "
        "با کمترین مجوز لازم؛ Redis با گذرواژه.",
    ),
    28: PersianLesson(
        "کارایی: اول اندازه بگیر، بعد تنظیم کن",
        "یک بنچمارک: نرخ انتشار با و بدون تأیید ناشر، نرخ مصرف بر حسب prefetch، صف کلاسیک در برابر صف کوئروم؛ "
        "تسک در ثانیهٔ Celery از پیش‌فرض‌ها تا ورکری تنظیم‌شده، هر تنظیم جداگانه.",
    ),
    29: PersianLesson(
        "آزمودن کد Celery در برابر یک بروکر واقعی",
        "آزمون واحد تابع تسک‌ها؛ چرا task_always_eager باگ‌های سریال‌سازی و مسیریابی را پنهان می‌کند؛ "
        "celery_app و celery_worker از celery.contrib.pytest روی بروکر واقعی؛ تلاش دوباره، محدودیت زمانی، "
        "یک chord؛ pytest-celery برای کسانی که Docker دارند.",
    ),
    30: PersianLesson(
        "کار تأخیری و زمان‌بندی‌شده",
        "countdown، eta و تلاش دوباره: ورکری که روی صف کلاسیک تسک‌ها را نگه می‌دارد، مهلت مصرف‌کننده، تحویل تأخیری "
        "بومی روی صف کوئروم، visibility timeout در Redis، خاموشی نرم (soft shutdown)، و سه اشتباه رایج.",
    ),
}
