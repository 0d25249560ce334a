"""A stand-in for mrpplan that prints the arguments it was given (one JSON list)."""

import json
import sys

print(json.dumps(sys.argv[1:]))
