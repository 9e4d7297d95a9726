"""schema.org descriptions (JSON-LD) of the pages, built from the same records as the visible text."""

from __future__ import annotations

from .plan import ComuneInputs, Output, Shared


def comune_service(shared: Shared, output: Output, inputs: ComuneInputs) -> dict:
    """A comune's desk as a GovernmentService, with only properties schema.org defines on each
    type and only facts the page itself states."""
    comune, desk = inputs.comune, inputs.desk
    phones = [{"@type": "ContactPoint", "telephone": phone.international_with_extension,
               "contactType": "cellulare" if phone.mobile else "telefono",
               **({"description": f"interno {phone.extension}"} if phone.extension else {})}
              for phone in desk.phones]
    data = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": f"Sportello lavoro {shared.name} per {comune.name}",
        "serviceOperator": {"@type": "Organization", "name": desk.operator.name, "email": desk.email},
        "provider": {"@type": "GovernmentOrganization", "name": shared.consortium.name,
                     "url": shared.consortium.website},
        "areaServed": {"@type": "AdministrativeArea", "name": comune.name, "identifier": comune.istat},
        "availableChannel": [{"@type": "ServiceChannel", "name": "Telefono ed email", "servicePhone": phones}],
    }
    if inputs.mode is not None and inputs.mode.in_person:   # as the page says it, without a date or a place
        data["availableChannel"].append({"@type": "ServiceChannel", "name": "Di persona, solo su appuntamento"})
    if shared.base_url:
        data["url"] = shared.base_url + output.canonical_path
    return data
