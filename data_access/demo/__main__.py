"""python -m data_access.demo: generate the demo city (see data_access.demo.main)."""

import sys

from data_access.demo import main

sys.exit(main())
