/* One-line error values for the simulator library (see <smhsim/diag.h>). */
#include <smhsim/diag.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int smh_diag_set(struct smh_diag *diag, int code, const char *fmt, ...)
{
	if (diag != NULL) {
		va_list args;

		va_start(args, fmt);
		vsnprintf(diag->message, sizeof(diag->message), fmt, args);
		va_end(args);
		diag->code = code;
		/* The contract is one line: fold any newline a caller let through. */
		for (char *c = diag->message; *c != '\0'; c++) {
			if (*c == '\n' || *c == '\r') {
				*c = ' ';
			}
		}
	}
	return code;
}

void smh_diag_clear(struct smh_diag *diag)
{
	if (diag != NULL) {
		diag->code = 0;
		diag->message[0] = '\0';
	}
}

char *smh_diag_printable(char *dst, size_t dst_size, const char *src, size_t len)
{
	static const char ellipsis[] = "...";
	size_t out = 0;
	size_t i;

	/* Room for the longest piece (an escape) plus the ellipsis and the NUL. */
	for (i = 0; i < len && src[i] != '\0'; i++) {
		unsigned char c = (unsigned char)src[i];
		char piece[5];
		size_t piece_len;

		if (c >= 0x20 && c < 0x7f) {
			piece[0] = (char)c;
			piece[1] = '\0';
		} else {
			snprintf(piece, sizeof(piece), "\\x%02x", c);
		}
		piece_len = strlen(piece);
		if (out + piece_len + sizeof(ellipsis) > dst_size) {
			break;
		}
		memcpy(dst + out, piece, piece_len);
		out += piece_len;
	}
	if (i < len && src[i] != '\0' && out + sizeof(ellipsis) <= dst_size) {
		memcpy(dst + out, ellipsis, sizeof(ellipsis) - 1);
		out += sizeof(ellipsis) - 1;
	}
	if (dst_size > 0) {
		dst[out < dst_size ? out : dst_size - 1] = '\0';
	}
	return dst;
}
