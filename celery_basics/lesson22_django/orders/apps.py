from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "celery_basics.lesson22_django.orders"
    label = "orders"
