/* status.h - the program's exit statuses and the sample-data suffix,
 * shared by every command (sheets, export, import) without the driver's
 * header. */
#ifndef SS_STATUS_H
#define SS_STATUS_H

/* Sheets (and manifests) made from sample="true" data are named
 * CODE-YEAR-SAMPLE.pdf. */
#define SS_SAMPLE_SUFFIX "SAMPLE"

/* Exit statuses (sysexits.h). */
enum {
    SS_EXIT_OK = 0,
    SS_EXIT_USAGE = 64,     /* bad command line */
    SS_EXIT_DATAERR = 65,   /* invalid data or template */
    SS_EXIT_NOINPUT = 66,   /* input missing or unreadable */
    SS_EXIT_UNAVAILABLE = 69, /* mail: the server refused for good (5xx, no STARTTLS) */
    SS_EXIT_SOFTWARE = 70,  /* internal error, damaged installation */
    SS_EXIT_CANTCREAT = 73, /* cannot create output */
    SS_EXIT_IOERR = 74,     /* I/O error while reading or writing */
    SS_EXIT_TEMPFAIL = 75   /* try later: another run holds the manifest's lock,
                               or (mail) the server is out of reach or said so */
};

#endif
