import sys

from gentrace.cli.main import main

sys.exit(main())
