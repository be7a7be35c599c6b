"""Exercise 17, the client (given: do not change it): send three images and three e-mails.

    python client.py
"""

from tasks import resize_image, send_email


def main():
    results = [resize_image.delay(f"photo-{n}.jpg") for n in range(1, 4)]
    results += [send_email.delay(f"user{n}@example.com") for n in range(1, 4)]
    for result in results:
        print(f" [x] Sent {result.id}")
    for result in results:
        print(f" [.] {result.get(timeout=15)}")


if __name__ == "__main__":
    main()
