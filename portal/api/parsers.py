"""The API's one body parser: JSON, nested at most ``MAX_DEPTH`` levels.

Set as ``DEFAULT_PARSER_CLASSES`` and by every viewset that names its parsers,
so that no body reaches Python's recursive JSON parser unchecked: a deeply nested
body is a 400 in the error format ("The JSON nests deeper than 32 levels."), not a
``RecursionError`` and its 500. Any other body (a form, a file) is a 415.
"""

import codecs

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

from portal.text.json_input import TooDeep, loads


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            return loads(
                text, parse_constant=drf_json.strict_constant if self.strict else None
            )
        except TooDeep as error:
            raise ParseError(str(error)) from None
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from None
