# Re-exports: views import these through the package.
from ..utils import clean_html, passthrough, to_int  # noqa: F401
from ..db import run_query as q  # noqa: F401
