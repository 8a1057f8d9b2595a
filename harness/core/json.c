/* JSON helpers on jansson; contracts in json.h. */
#include "core/json.h"
#include "core/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static json_t *ascii_copy(const char *s)
{
	char *copy = el_xstrdup(s ? s : "");
	json_t *j;

	for (char *c = copy; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

json_t *el_json_str(const char *s)
{
	json_t *j;

	if (!s)
		return json_string("");
	return (j = json_string(s)) ? j : ascii_copy(s);
}

json_t *el_json_str_or_null(const char *s)
{
	return s && s[0] ? el_json_str(s) : json_null();
}

json_t *el_json_text(const char *s)
{
	return ascii_copy(s);
}

json_t *el_json_num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

int el_json_write(const char *path, const json_t *doc, int indent, int sort)
{
	char *text = json_dumps(doc, JSON_INDENT(indent) | (sort ? JSON_SORT_KEYS :
							    JSON_PRESERVE_ORDER));
	int rc;

	if (!text) {
		errno = ENOMEM;
		return -1;
	}
	size_t len = strlen(text);
	char *with_nl = el_xrealloc(text, len + 2);
	with_nl[len] = '\n';
	with_nl[len + 1] = '\0';
	rc = el_write_atomic(path, with_nl, len + 1);
	free(with_nl);
	return rc;
}
