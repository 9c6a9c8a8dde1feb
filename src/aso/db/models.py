"""Imports every table module so ``Base.metadata`` is complete (for Alembic and the tests)."""

from aso.adminfees import models as _adminfees  # noqa: F401
from aso.claims import models as _claims  # noqa: F401
from aso.db.base import Base
from aso.edi import models as _edi  # noqa: F401
from aso.edi import remittance_models as _edi_remittances  # noqa: F401
from aso.employers import models as _employers  # noqa: F401
from aso.ledger import models as _ledger  # noqa: F401
from aso.members import models as _members  # noqa: F401
from aso.payments import models as _payments  # noqa: F401
from aso.providers import models as _providers  # noqa: F401
from aso.security import models as _security  # noqa: F401
from aso.stoploss import models as _stoploss  # noqa: F401

metadata = Base.metadata
