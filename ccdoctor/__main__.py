"""The process entry point: the `ccdoctor` command and `python -m ccdoctor`."""

import gc


def main() -> None:
    # A run lasts seconds under its deadline and keeps nearly everything it allocates until it
    # exits, so the cyclic collector would only rescan start-up objects again and again: about 3%
    # of an offline run's instructions. What cycles a run leaves go with the process.
    gc.disable()
    from ccdoctor.cli import main as run

    run()


if __name__ == "__main__":
    main()
