/*
 * dictionary.c
 *		Byte-string codec (codecs.h) for text and, as their text form, the
 *		types without a codec of their own: a count, the distinct strings
 *		in first-seen order (varint length + bytes), then the value indexes
 *		as runs (varint index, varint length).  A column of few distinct
 *		values (a field like "status") costs a few bytes a run.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/codecs/codecs.h"

size_t
dict_bound(size_t n, size_t total_bytes)
{
	return 10 + 10 + n * 10 + total_bytes + n * 20;
}

static uint64_t
hash_bytes(const char *s, size_t len)
{
	uint64_t	h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t) s[i]) * 1099511628211ULL;
	return h;
}

size_t
dict_encode(const char *const *str, const size_t *len, size_t n, uint8_t *out)
{
	size_t		pos = codec_put_varint(out, n);
	size_t		hsize = 16;
	int64_t    *slot;			/* hash slot -> first index of that string */
	uint32_t   *idx;			/* value -> dictionary index */
	size_t		ndict = 0;
	size_t	   *first;			/* dictionary index -> first value */

	if (n == 0)
		return pos;
	while (hsize < n * 2)
		hsize <<= 1;
	slot = malloc(hsize * sizeof(int64_t));
	idx = malloc(n * sizeof(uint32_t));
	first = malloc(n * sizeof(size_t));
	if (slot == NULL || idx == NULL || first == NULL)
	{
		free(slot);
		free(idx);
		free(first);
		return 0;				/* out of memory: the caller reports it */
	}
	for (size_t i = 0; i < hsize; i++)
		slot[i] = -1;
	for (size_t i = 0; i < n; i++)
	{
		size_t		h = hash_bytes(str[i], len[i]) & (hsize - 1);

		for (;;)
		{
			if (slot[h] < 0)
			{
				slot[h] = (int64_t) ndict;
				first[ndict] = i;
				idx[i] = (uint32_t) ndict++;
				break;
			}
			else
			{
				size_t		f = first[slot[h]];

				if (len[f] == len[i] && memcmp(str[f], str[i], len[i]) == 0)
				{
					idx[i] = (uint32_t) slot[h];
					break;
				}
			}
			h = (h + 1) & (hsize - 1);
		}
	}
	pos += codec_put_varint(out + pos, ndict);
	for (size_t d = 0; d < ndict; d++)
	{
		size_t		f = first[d];

		pos += codec_put_varint(out + pos, len[f]);
		if (len[f] > 0)
			memcpy(out + pos, str[f], len[f]);
		pos += len[f];
	}
	for (size_t i = 0; i < n;)
	{
		size_t		j = i + 1;

		while (j < n && idx[j] == idx[i])
			j++;
		pos += codec_put_varint(out + pos, idx[i]);
		pos += codec_put_varint(out + pos, j - i);
		i = j;
	}
	free(slot);
	free(idx);
	free(first);
	return pos;
}

int64_t
dict_count(const uint8_t *in, size_t len)
{
	return dd_count(in, len);
}

int
dict_decode(const uint8_t *in, size_t len, const char **out_ptr, size_t *out_len, size_t n)
{
	size_t		pos = 0,
				dictpos,
				done = 0;
	uint64_t	cnt,
				ndict;

	if (codec_get_varint(in, len, &pos, &cnt) != 0 || cnt != n)
		return -1;
	if (n == 0)
		return pos == len ? 0 : -1;
	if (codec_get_varint(in, len, &pos, &ndict) != 0 || ndict == 0 || ndict > n)
		return -1;
	/* first pass: check the dictionary and find where the runs start */
	dictpos = pos;
	for (uint64_t d = 0; d < ndict; d++)
	{
		uint64_t	l;

		if (codec_get_varint(in, len, &pos, &l) != 0 || l > len - pos)
			return -1;
		pos += l;
	}
	while (done < n)
	{
		uint64_t	d,
					run,
					l;
		size_t		p = dictpos;

		if (codec_get_varint(in, len, &pos, &d) != 0 || d >= ndict ||
			codec_get_varint(in, len, &pos, &run) != 0 || run == 0 || run > n - done)
			return -1;
		/* walk to entry d (dictionaries of a segment are small) */
		for (uint64_t k = 0;; k++)
		{
			if (codec_get_varint(in, len, &p, &l) != 0)
				return -1;
			if (k == d)
				break;
			p += l;
		}
		for (uint64_t r = 0; r < run; r++)
		{
			out_ptr[done] = (const char *) in + p;
			out_len[done] = l;
			done++;
		}
	}
	return pos == len ? 0 : -1;
}
