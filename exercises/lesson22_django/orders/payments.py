"""The payment service (given): slow, and sometimes it says no."""

import time


class PaymentDeclined(Exception):
    pass


def charge_card(card):
    time.sleep(0.5)  # a call to the payment provider
    if card == "declined":
        raise PaymentDeclined
