"""`python -m minsheng.analysis.consensus analyze VOTES ...`"""

import sys

from .cli import main

sys.exit(main())
