/* asan_symbols.c - a deliberate heap overflow, built only under
 * -DSTATESHEET_SANITIZE=ON: asan_symbols.sh checks that the report AddressSanitizer
 * prints names this file and line, i.e. that llvm-symbolizer is found.  A
 * report of bare addresses is of no use to whoever reads a failed run. */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    (void)argv;
    char *p = malloc(8);
    if (!p)
        return 1;
    memset(p, 'x', 8);
    volatile char c = p[8 + argc]; /* ASAN_SYMBOLS_OVERFLOW_LINE */
    free(p);
    return c == 'x';
}
