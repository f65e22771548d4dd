"""Opening studies from a PACS: what DICOMweb adds to the upload path, and what fetching in the pool gains.

Starts Debian's Orthanc with its DICOMweb plugin through the tests' own starter
(``tests/fixtures/orthanc.py``: free ports, a temp storage dir, stopped by PID at the end), stores
``--studies`` studies of a lateral and a PA image of ``--side`` x ``--side`` 12-bit pixels through
STOW-RS, then measures:

- ``search``: one QIDO-RS study search by patient ID (what the Verify page's Search button waits for);
- ``open``: ``pacs.open_study``: list the study's instances, choose the frontal view, WADO-RS retrieve it,
  decode it (what the Open study button waits for), against ``decode``: ``imaging.decode_image`` of the
  same bytes already in memory (an upload's decode);
- ``fetch``: every image of every study retrieved as the ETL source does (``fetch_instance``), one at a
  time, then from a pool of ``--workers`` threads (the ingest pipeline's decode pool).

Prints p50/p95 in ms and the ratios ``open/decode`` and ``fetch serial/pool``. Needs Orthanc
(``apt-get install -y orthanc orthanc-dicomweb``).

    python -m bench.pacs [--studies 20] [--side 1024] [--repeats 5] [--workers 4]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from bench.common import header, percentiles, timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pacs", description=__doc__.split("\n")[0])
    parser.add_argument("--studies", type=int, default=20)
    parser.add_argument("--side", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    print(header("PACS over DICOMweb (Orthanc)", ["bench.pacs", *argv]))

    from pydicom.uid import generate_uid

    from etl.sources import fetch_instance
    from medrag_core.imaging import decode_image
    from medrag_core.pacs import PacsClient, PacsConfig, StudyQuery, open_study
    from medrag_core.settings import Settings
    from tests.fixtures.orthanc import make_pacs_instance, orthanc_missing, start_orthanc, stow

    missing = orthanc_missing()
    if missing:
        print(f"skipped: {missing}")
        return 0
    with start_orthanc() as server:
        files: list[bytes] = []
        for n in range(args.studies):
            study = generate_uid()
            for view in ("LATERAL", "PA"):
                data, _ = make_pacs_instance(patient_id=f"BENCH-{n}", accession=f"B{n:05d}", study_uid=study,
                                             series_uid=generate_uid(), study_date="20240101", view=view,
                                             shape=(args.side, args.side), seed=n)
                files.append(data)
        for start in range(0, len(files), 10):
            stow(server, files[start : start + 10])
        settings = Settings(dicomweb_url=server.dicomweb_url)
        client = PacsClient.from_settings(settings)
        studies = list(client.iter_studies(StudyQuery(), page_size=100))
        print(f"stored {len(files)} images in {len(studies)} studies, {len(files[0]) / 2**20:.1f} MiB each")

        search = [timed(lambda n=n: client.search_studies(StudyQuery.build(patient_id=f"BENCH-{n}")))[0]
                  for n in range(min(args.studies, args.repeats * 4))]
        opened, decoded = [], []
        for r in range(args.repeats):
            study = studies[r % len(studies)]
            ms, result = timed(lambda s=study: open_study(client, s.study_uid, settings, with_report=False))
            opened.append(ms)
            decoded.append(timed(lambda d=result.data: decode_image(d, max_pixels=settings.max_image_pixels))[0])
        for name, samples in (("search", search), ("open", opened), ("decode", decoded)):
            p50, p95 = percentiles(samples)
            print(f"stage {name:<7} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  (n={len(samples)})")

        config = PacsConfig.from_settings(settings)
        instances = [i for s in studies for i in client.study_instances(s.study_uid) if i.is_image]
        started = time.perf_counter()
        for instance in instances:
            fetch_instance(config, instance, settings.max_image_pixels)
        serial_s = time.perf_counter() - started
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            list(pool.map(lambda i: fetch_instance(config, i, settings.max_image_pixels), instances))
        pool_s = time.perf_counter() - started
        print(f"fetch serial {len(instances) / serial_s:6.1f} images/s, pool of {args.workers}: "
              f"{len(instances) / pool_s:6.1f} images/s")
        print(f"ratio open/decode = {percentiles(opened)[0] / percentiles(decoded)[0]:.2f}x (p50)")
        print(f"ratio fetch serial/pool = {serial_s / pool_s:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
