"""OCR: the tesseract engine (``engine``) and the worker processes that take
images from the queue in the database (``runner``)."""
