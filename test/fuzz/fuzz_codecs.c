/*
 * fuzz_codecs.c
 *		libFuzzer target of the column codecs' decoders
 *		(src/storage/codecs/): the first byte picks the decoder, the rest is
 *		its input.  A decoder must refuse or decode without reading or
 *		writing out of bounds (ASan); what decodes must encode and decode
 *		back to the same values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/codecs/codecs.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t		n;
	const uint8_t *in;
	size_t		len;

	if (size < 1)
		return 0;
	in = data + 1;
	len = size - 1;
	switch (data[0] % 5)
	{
		case 0:
			if ((n = dd_count(in, len)) >= 0 && n <= 65536)
			{
				int64_t    *v = malloc((n + 1) * sizeof(int64_t));
				int64_t    *w = malloc((n + 1) * sizeof(int64_t));
				uint8_t    *b = malloc(dd_bound(n));

				if (dd_decode(in, len, v, n) == 0)
				{
					size_t		l = dd_encode(v, n, b);

					if (dd_decode(b, l, w, n) != 0 || (n > 0 && memcmp(v, w, n * 8) != 0))
						abort();
				}
				free(v);
				free(w);
				free(b);
			}
			break;
		case 1:
			if ((n = gorilla_count(in, len)) >= 0 && n <= 65536)
			{
				uint64_t   *v = malloc((n + 1) * sizeof(uint64_t));
				uint64_t   *w = malloc((n + 1) * sizeof(uint64_t));
				uint8_t    *b = malloc(gorilla_bound(n));

				if (gorilla_decode(in, len, v, n) == 0)
				{
					size_t		l = gorilla_encode(v, n, b);

					if (gorilla_decode(b, l, w, n) != 0 || (n > 0 && memcmp(v, w, n * 8) != 0))
						abort();
				}
				free(v);
				free(w);
				free(b);
			}
			break;
		case 2:
			if ((n = bool_count(in, len)) >= 0 && n <= 65536)
			{
				uint8_t    *v = malloc(n + 1);
				uint8_t    *w = malloc(n + 1);
				uint8_t    *b = malloc(bool_bound(n));

				if (bool_decode(in, len, v, n) == 0)
				{
					size_t		l = bool_encode(v, n, b);

					if (bool_decode(b, l, w, n) != 0 || (n > 0 && memcmp(v, w, n) != 0))
						abort();
				}
				free(v);
				free(w);
				free(b);
			}
			break;
		case 3:
			if ((n = dict_count(in, len)) >= 0 && n <= 65536)
			{
				const char **p = malloc((n + 1) * sizeof(char *));
				size_t	   *l = malloc((n + 1) * sizeof(size_t));

				(void) dict_decode(in, len, p, l, n);
				free(p);
				free(l);
			}
			break;
		case 4:
			if ((n = generic_count(in, len)) >= 0 && n <= 1 << 20)
			{
				uint8_t    *v = malloc(n + 1);

				(void) generic_decode(in, len, v, n);
				free(v);
			}
			break;
	}
	return 0;
}
