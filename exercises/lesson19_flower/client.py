"""Exercise 19, the client (given: do not change it): make three thumbnails.

    python client.py
"""

from tasks import thumbnail


def main():
    results = [thumbnail.delay(f"photo-{n}.jpg") for n in range(1, 4)]
    for result in results:
        print(f" [x] Sent {result.id}")
    for result in results:
        print(f" [.] {result.get(timeout=15)}")


if __name__ == "__main__":
    main()
