"""The API kit the apps build their endpoints on: token model and authentication,
the error format, schema, pagination, ordering, throttling and write helpers."""
