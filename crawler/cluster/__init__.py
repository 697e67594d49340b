"""`scrapy extract --cluster ADDRESS`: the same extraction, spread over a Dask cluster.

Layers, bottom up (none imports Scrapy; only ``client`` imports Dask, and only when called):

- ``sources``: the inputs as the workers reach them (paths or fsspec URLs), and a byte range of
  one seen as a small file of its own;
- ``plan``: where a file may be cut (its CDXJ index, or a scan of its record offsets), and the
  work units: a byte range of a large file, or a batch of small files;
- ``work``: one unit on a worker, through ``crawler.records.extract_files``: JSON lines,
  the lines to report and the tally, exactly those of the local run over the same records;
- ``output``: one JSON Lines file or part files and a manifest, under a temporary name until
  the run is complete;
- ``client``: the Dask glue: submit, collect in order, progress, faults.
"""
