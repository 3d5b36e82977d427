"""Entry point of the frozen app: the same as the ``dischargedesk`` console script."""

import sys

from dischargedesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
