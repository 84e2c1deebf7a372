"""E-archive delivery: a channel and period as an E-ARK SIP (CSIP 2 / FGS Paketstruktur 2.0), zipped.

Layout of the package (root folder named after OBJID):
  METS.xml                                   root METS: metsHdr, amdSec (PREMIS ref), fileSec with
                                             SHA-256 checksums, PHYSICAL structMap labelled CSIP
  metadata/preservation/premis.xml           PREMIS 3 objects and events: capture, edit, moderation,
                                             hand-off (transfer)
  representations/rep-native/data/*.json     each record's canonical JSON, as archived
  representations/rep-native/data/files/<sha256><suffix>   the archived attachment files of the
                                             attachment records in the package
  representations/rep-normalised/data/records.jsonl   one normalised line per record
"""

import datetime
import hashlib
import json
import shutil
import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from archive.models import EVENT_RECORD_TYPES, ArchiveRecord, ExportKind, RecordType
from archive.services.exports import _date_bounds, _new_dir, _register, _stored_file, attachment_file_name
from archive.services.secrecy import secrecy_markings_for

METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP_NS = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
PREMIS_NS = "http://www.loc.gov/premis/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
SOFTWARE = ("ludvika-social", "0.1.0")


def _m(tag: str) -> str:
    return f"{{{METS_NS}}}{tag}"


def _p(tag: str) -> str:
    return f"{{{PREMIS_NS}}}{tag}"


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _normalised(record: ArchiveRecord, content: dict, markings: list | None = None) -> dict:
    snapshot = content.get("snapshot") or {}
    decision = content.get("decision") or {}
    return {
        "information_class": record.information_class,
        "event": content.get("event") or None,
        "secrecy_markings": [
            {"osl_ground": m.osl_ground, "marked_at": _iso(m.marked_at), "marked_by": m.marked_by_name}
            for m in markings or []
        ],
        "sequence": record.sequence,
        "record_type": record.record_type,
        "record_sha256": record.record_sha256,
        "channel": record.channel_name,
        "channel_id": record.channel_id,
        "platform": record.platform,
        "platform_id": record.platform_id,
        "kind": record.kind,
        "version": record.version,
        "author_id": record.author_platform_id,
        "author_name": record.author_name,
        "text": snapshot.get("text"),
        "parent_platform_id": (snapshot.get("thread") or {}).get("parent_platform_id"),
        "created_at": snapshot.get("created_at"),
        "edited_at": snapshot.get("edited_at"),
        "received_at": record.received_at.isoformat() if record.received_at else None,
        "visibility": record.visibility,
        "codes": decision.get("codes") or [],
        "reason": decision.get("reason") or "",
        **_normalised_attachment(snapshot.get("attachment")),
    }


def _normalised_attachment(info: dict | None) -> dict:
    if not info:
        return {}
    return {
        "attachment_file": f"files/{attachment_file_name(info)}",
        "attachment_sha256": info.get("sha256"),
        "attachment_size": info.get("size"),
        "attachment_media_type": info.get("media_type"),
        "attachment_url": info.get("url"),
    }


def _event(parent, identifier: str, event_type: str, when: str, detail: str, object_id: str) -> None:
    event = etree.SubElement(parent, _p("event"))
    ident = etree.SubElement(event, _p("eventIdentifier"))
    etree.SubElement(ident, _p("eventIdentifierType")).text = "local"
    etree.SubElement(ident, _p("eventIdentifierValue")).text = identifier
    etree.SubElement(event, _p("eventType")).text = event_type
    etree.SubElement(event, _p("eventDateTime")).text = when
    info = etree.SubElement(event, _p("eventDetailInformation"))
    etree.SubElement(info, _p("eventDetail")).text = detail
    agent = etree.SubElement(event, _p("linkingAgentIdentifier"))
    etree.SubElement(agent, _p("linkingAgentIdentifierType")).text = "local"
    etree.SubElement(agent, _p("linkingAgentIdentifierValue")).text = SOFTWARE[0]
    obj = etree.SubElement(event, _p("linkingObjectIdentifier"))
    etree.SubElement(obj, _p("linkingObjectIdentifierType")).text = "local"
    etree.SubElement(obj, _p("linkingObjectIdentifierValue")).text = object_id


def _premis(
    records: list[tuple[ArchiveRecord, dict, str, str]], created: str, objid: str,
    attachment_files: list[tuple[str, str, str]] = (),
) -> bytes:
    root = etree.Element(_p("premis"), nsmap={"premis": PREMIS_NS, "xsi": XSI_NS}, version="3.0")
    objects = [(href, checksum, "JSON") for _record, _content, href, checksum in records]
    objects += list(attachment_files)
    for href, checksum, format_name in objects:
        obj = etree.SubElement(root, _p("object"))
        obj.set(f"{{{XSI_NS}}}type", "premis:file")
        ident = etree.SubElement(obj, _p("objectIdentifier"))
        etree.SubElement(ident, _p("objectIdentifierType")).text = "local"
        etree.SubElement(ident, _p("objectIdentifierValue")).text = href
        chars = etree.SubElement(obj, _p("objectCharacteristics"))
        fixity = etree.SubElement(chars, _p("fixity"))
        etree.SubElement(fixity, _p("messageDigestAlgorithm")).text = "SHA-256"
        etree.SubElement(fixity, _p("messageDigest")).text = checksum
        fmt = etree.SubElement(chars, _p("format"))
        designation = etree.SubElement(fmt, _p("formatDesignation"))
        etree.SubElement(designation, _p("formatName")).text = format_name
    for record, content, href, _checksum in records:
        snapshot = content.get("snapshot") or {}
        received = _iso(record.received_at or record.created_at)
        if record.record_type == RecordType.ATTACHMENT:
            info = snapshot.get("attachment") or {}
            _event(root, f"capture-{record.sequence}", "capture", _iso(record.created_at),
                   f"captured attachment file sha256 {info.get('sha256')} of {record.platform_id} "
                   f"from {record.platform}", href)
        elif record.record_type in EVENT_RECORD_TYPES:
            event = content.get("event") or {}
            _event(root, f"event-{record.sequence}", "metadata modification", received,
                   f"{record.record_type}: {event.get('event') or ''}", href)
        elif record.record_type == RecordType.REMOVAL_SNAPSHOT:
            decision = content.get("decision") or {}
            _event(root, f"moderation-{record.sequence}", "moderation", _iso(record.created_at),
                   f"removal decision, codes {','.join(decision.get('codes') or [])}", href)
        else:
            _event(root, f"capture-{record.sequence}", "capture", received,
                   f"captured {record.kind} {record.platform_id} from {record.platform}", href)
            if (record.version or 1) > 1 or snapshot.get("edited_at"):
                _event(root, f"edit-{record.sequence}", "modification",
                       snapshot.get("edited_at") or received, f"edit, version {record.version}", href)
    _event(root, f"handoff-{objid}", "transfer", created, "hand-off to the e-archive as an E-ARK SIP", objid)
    agent = etree.SubElement(root, _p("agent"))
    ident = etree.SubElement(agent, _p("agentIdentifier"))
    etree.SubElement(ident, _p("agentIdentifierType")).text = "local"
    etree.SubElement(ident, _p("agentIdentifierValue")).text = SOFTWARE[0]
    etree.SubElement(agent, _p("agentName")).text = SOFTWARE[0]
    etree.SubElement(agent, _p("agentType")).text = "software"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _file_element(
    group, file_id: str, href: str, data: bytes | None, mimetype: str, created: str,
    size: int | None = None, checksum: str = "",
) -> None:
    element = etree.SubElement(
        group, _m("file"), ID=file_id, MIMETYPE=mimetype, SIZE=str(len(data) if data is not None else size),
        CREATED=created, CHECKSUM=checksum or hashlib.sha256(data).hexdigest(), CHECKSUMTYPE="SHA-256",
    )
    etree.SubElement(
        element, _m("FLocat"),
        {"LOCTYPE": "URL", f"{{{XLINK_NS}}}type": "simple", f"{{{XLINK_NS}}}href": href},
    )


def build_sip(
    *, directory: Path, objid: str, label: str, organisation: str, records: list[ArchiveRecord]
) -> Path:
    """Write the SIP folder under ``directory``; returns the package root."""
    now = timezone.now()
    created = _iso(now)
    root_dir = directory / objid
    files: dict[str, tuple[bytes, str]] = {}
    parsed = []
    normalised_lines = []
    # Attachment files: (href, source path, media type, size, sha256), copied, not read into memory.
    attachment_files: dict[str, tuple[Path, str, int, str]] = {}
    markings = secrecy_markings_for(records)
    for record in records:
        content = json.loads(record.content)
        href = f"representations/rep-native/data/{record.sequence:010d}.json"
        data = record.content.encode("utf-8")
        files[href] = (data, "application/json")
        parsed.append((record, content, href, hashlib.sha256(data).hexdigest()))
        if record.record_type == RecordType.ATTACHMENT:
            info = (content.get("snapshot") or {}).get("attachment") or {}
            file_href = f"representations/rep-native/data/files/{attachment_file_name(info)}"
            attachment_files[file_href] = (
                _stored_file(info), info.get("media_type") or "application/octet-stream", int(info.get("size") or 0),
                info.get("sha256") or "",
            )
        normalised_lines.append(json.dumps(
            _normalised(record, content, markings.get(record.pk)), ensure_ascii=False, sort_keys=True))
    files["representations/rep-normalised/data/records.jsonl"] = (
        ("\n".join(normalised_lines) + "\n").encode("utf-8"), "application/x-ndjson",
    )
    premis = _premis(
        parsed, created, objid,
        [(href, sha, mime) for href, (_path, mime, _size, sha) in attachment_files.items()],
    )
    for relative, (data, _mime) in files.items():
        target = root_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for relative, (source, _mime, _size, _sha) in attachment_files.items():
        target = root_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    premis_path = root_dir / "metadata/preservation/premis.xml"
    premis_path.parent.mkdir(parents=True, exist_ok=True)
    premis_path.write_bytes(premis)

    nsmap = {"mets": METS_NS, "xlink": XLINK_NS, "csip": CSIP_NS, "sip": SIP_NS, "xsi": XSI_NS}
    mets = etree.Element(
        _m("mets"),
        {
            "OBJID": objid, "LABEL": label, "TYPE": "OTHER", "PROFILE": SIP_PROFILE,
            f"{{{CSIP_NS}}}OTHERTYPE": "Social media", f"{{{CSIP_NS}}}CONTENTINFORMATIONTYPE": "MIXED",
        },
        nsmap=nsmap,
    )
    header = etree.SubElement(
        mets, _m("metsHdr"), {"CREATEDATE": created, "RECORDSTATUS": "NEW", f"{{{CSIP_NS}}}OAISPACKAGETYPE": "SIP"}
    )
    agent = etree.SubElement(header, _m("agent"), ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    etree.SubElement(agent, _m("name")).text = SOFTWARE[0]
    etree.SubElement(agent, _m("note"), {f"{{{CSIP_NS}}}NOTETYPE": "SOFTWARE VERSION"}).text = SOFTWARE[1]
    org = etree.SubElement(header, _m("agent"), ROLE="CREATOR", TYPE="ORGANIZATION")
    etree.SubElement(org, _m("name")).text = organisation

    amd = etree.SubElement(mets, _m("amdSec"), ID="amdsec")
    digiprov = etree.SubElement(amd, _m("digiprovMD"), ID="digiprov-premis", STATUS="CURRENT")
    etree.SubElement(
        digiprov, _m("mdRef"),
        {
            "LOCTYPE": "URL", "MDTYPE": "PREMIS", "MIMETYPE": "text/xml", "SIZE": str(len(premis)),
            "CREATED": created, "CHECKSUM": hashlib.sha256(premis).hexdigest(), "CHECKSUMTYPE": "SHA-256",
            f"{{{XLINK_NS}}}type": "simple", f"{{{XLINK_NS}}}href": "metadata/preservation/premis.xml",
        },
    )
    file_sec = etree.SubElement(mets, _m("fileSec"), ID="filesec")
    groups = {}
    for rep in ("rep-native", "rep-normalised"):
        groups[rep] = etree.SubElement(file_sec, _m("fileGrp"), ID=f"grp-{rep}", USE=f"Representations/{rep}")
    for index, (relative, (data, mime)) in enumerate(files.items(), start=1):
        rep = relative.split("/")[1]
        _file_element(groups[rep], f"file-{index}", relative, data, mime, created)
    for index, (relative, (_path, mime, size, sha)) in enumerate(attachment_files.items(), start=len(files) + 1):
        _file_element(groups["rep-native"], f"file-{index}", relative, None, mime, created, size=size, checksum=sha)

    struct = etree.SubElement(mets, _m("structMap"), ID="structmap", TYPE="PHYSICAL", LABEL="CSIP")
    top = etree.SubElement(struct, _m("div"), ID="div-root", LABEL=objid)
    etree.SubElement(top, _m("div"), ID="div-metadata", LABEL="Metadata", ADMID="digiprov-premis")
    for rep in groups:
        div = etree.SubElement(top, _m("div"), ID=f"div-{rep}", LABEL=f"Representations/{rep}")
        etree.SubElement(div, _m("fptr"), FILEID=f"grp-{rep}")
    (root_dir / "METS.xml").write_bytes(etree.tostring(mets, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return root_dir


def export_sip(
    *, user, channel_id: int, date_from: datetime.date | None = None, date_to: datetime.date | None = None,
    organisation: str = "Ludvika kommun",
):
    """Package one channel's records in a period as a zipped E-ARK SIP; returns the Export."""
    if date_from and date_to and date_from > date_to:
        raise ValidationError(_("Startdatum måste vara före slutdatum."))
    records = ArchiveRecord.objects.filter(channel_id=channel_id, culled_at__isnull=True).exclude(
        record_type=RecordType.CSAM_MARKING
    )
    start, end = _date_bounds(date_from, date_to)
    if start:
        records = records.filter(received_at__gte=start)
    if end:
        records = records.filter(received_at__lt=end)
    records = list(records.order_by("sequence"))
    if not records:
        raise ValidationError(_("Kanalen har inga arkivposter under perioden."))
    key, directory = _new_dir()
    objid = f"uuid-{uuid.uuid4()}"
    label = _("Sociala medier: %(channel)s %(start)s–%(end)s") % {
        "channel": records[0].channel_name,
        "start": date_from.isoformat() if date_from else "",
        "end": date_to.isoformat() if date_to else "",
    }
    root_dir = build_sip(directory=directory, objid=objid, label=label, organisation=organisation, records=records)
    shutil.make_archive(str(directory / objid), "zip", root_dir=directory, base_dir=objid)
    shutil.rmtree(root_dir)
    return _register(
        kind=ExportKind.SIP, user=user, key=key, path=directory / f"{objid}.zip", description=label,
        sequences=[r.sequence for r in records],
    )
