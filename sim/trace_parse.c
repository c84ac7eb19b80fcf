/*
 * Trace parser: text in, a program or one error line out. The grammar is in
 * docs/trace-language.md. The input is untrusted (the fuzzer feeds it any
 * bytes), so the parser is a flat loop over lines and tokens: no recursion,
 * every copy bounded, every number checked for overflow, every table capped.
 */
#include "trace_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/multi_heap/shared_multi_heap.h>

/* How much of a token or of the statement so far an error message quotes. */
#define QUOTE_MAX 40u

enum token_kind {
	TOKEN_END,    /* end of line or start of a comment */
	TOKEN_WORD,   /* run of word characters: names, keywords, numbers */
	TOKEN_ASSIGN, /* = */
	TOKEN_CMP,    /* == != < <= > >= */
	TOKEN_BAD,    /* one byte that starts no token */
};

struct token {
	enum token_kind kind;
	const char *start;
	size_t len;
	size_t column; /* 1-based */
	enum trace_cmp cmp;
};

struct parser {
	struct smh_trace_program *program;
	struct smh_diag *diag;
	const char *line_start;
	const char *line_end;
	const char *cursor;
	size_t line;
	/* The statement read so far, quoted by "expected X after '...'". */
	const char *context_start;
	const char *context_end;
};

static const char *const keywords[] = {
	"alloc",  "aligned_alloc", "realloc", "free",   "unsafe_free", "fill",
	"check",  "validate",      "reset",   "expect", "in",          "aligned",
	"usable", "allocated",     "largest", "NULL",   "cacheable",   "external",
};

static const char *const attr_names[SMH_REG_ATTR_NUM] = {
	[SMH_REG_ATTR_CACHEABLE] = "cacheable",
	[SMH_REG_ATTR_NON_CACHEABLE] = "non-cacheable",
	[SMH_REG_ATTR_EXTERNAL] = "external",
};

static const char *const cmp_names[] = {
	[TRACE_CMP_EQ] = "==", [TRACE_CMP_NE] = "!=", [TRACE_CMP_LT] = "<",
	[TRACE_CMP_LE] = "<=", [TRACE_CMP_GT] = ">",  [TRACE_CMP_GE] = ">=",
};

const char *trace_attr_name(uint32_t attr)
{
	return attr < SMH_REG_ATTR_NUM ? attr_names[attr] : "?";
}

const char *trace_cmp_name(enum trace_cmp cmp)
{
	return (size_t)cmp < sizeof(cmp_names) / sizeof(cmp_names[0]) ? cmp_names[cmp] : "?";
}

/* ---- Characters and tokens ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Characters of names, numbers and region names ("memory@42000000", "/soc/sram0"). */
static bool is_word_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '@' || c == '/' ||
	       c == ',' || c == '+';
}

static size_t column_of(const struct parser *p, const char *at)
{
	return (size_t)(at - p->line_start) + 1;
}

static struct token next_token(struct parser *p)
{
	struct token tok = {.kind = TOKEN_END};

	while (p->cursor < p->line_end && is_space(*p->cursor)) {
		p->cursor++;
	}
	tok.start = p->cursor;
	tok.column = column_of(p, p->cursor);
	if (p->cursor == p->line_end || *p->cursor == '#') {
		return tok;
	}

	const char *c = p->cursor;
	bool has_next = c + 1 < p->line_end;

	if (is_word_char(*c)) {
		while (c < p->line_end && is_word_char(*c)) {
			c++;
		}
		tok.kind = TOKEN_WORD;
	} else if (*c == '=') {
		bool double_eq = has_next && c[1] == '=';

		tok.kind = double_eq ? TOKEN_CMP : TOKEN_ASSIGN;
		tok.cmp = TRACE_CMP_EQ;
		c += double_eq ? 2 : 1;
	} else if ((*c == '<' || *c == '>') && has_next && c[1] == '=') {
		tok.kind = TOKEN_CMP;
		tok.cmp = *c == '<' ? TRACE_CMP_LE : TRACE_CMP_GE;
		c += 2;
	} else if (*c == '<' || *c == '>') {
		tok.kind = TOKEN_CMP;
		tok.cmp = *c == '<' ? TRACE_CMP_LT : TRACE_CMP_GT;
		c++;
	} else if (*c == '!' && has_next && c[1] == '=') {
		tok.kind = TOKEN_CMP;
		tok.cmp = TRACE_CMP_NE;
		c += 2;
	} else {
		tok.kind = TOKEN_BAD;
		c++;
	}
	tok.len = (size_t)(c - tok.start);
	p->cursor = c;
	return tok;
}

/* The token joins the statement quoted by later "after '...'" messages. */
static void consumed(struct parser *p, const struct token *tok)
{
	p->context_end = tok->start + tok->len;
}

static bool token_is(const struct token *tok, const char *word)
{
	size_t n = strlen(word);

	return tok->kind == TOKEN_WORD && tok->len == n && memcmp(tok->start, word, n) == 0;
}

static bool token_is_keyword(const struct token *tok)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (token_is(tok, keywords[i])) {
			return true;
		}
	}
	return false;
}

/* ---- Error messages ---- */

/*
 * Appends @len bytes of untrusted @src to @dst (capacity @size, holding
 * @used bytes) so that they print on one line, cut at QUOTE_MAX characters.
 */
static size_t append_quoted(char *dst, size_t size, size_t used, const char *src, size_t len)
{
	size_t shown = 0;
	bool last_was_space = false;

	for (size_t i = 0; i < len && used + 8 < size; i++) {
		unsigned char c = (unsigned char)src[i];

		if (shown >= QUOTE_MAX) {
			used += (size_t)snprintf(dst + used, size - used, "...");
			break;
		}
		if (is_space((char)c)) {
			/* Runs of blanks between tokens print as one space. */
			if (!last_was_space) {
				dst[used++] = ' ';
				shown++;
			}
			last_was_space = true;
			continue;
		}
		last_was_space = false;
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			dst[used++] = (char)c;
		} else {
			used += (size_t)snprintf(dst + used, size - used, "\\x%02x", c);
		}
		shown++;
	}
	dst[used] = '\0';
	return used;
}

static const char *describe_token(const struct token *tok, char *buf, size_t size)
{
	if (tok->kind == TOKEN_END) {
		return "end of line";
	}
	size_t used = (size_t)snprintf(buf, size, "'");

	used = append_quoted(buf, size, used, tok->start, tok->len);
	snprintf(buf + used, size - used, "'");
	return buf;
}

static const char *describe_context(const struct parser *p, char *buf, size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "'");

	used = append_quoted(buf, size, used, p->context_start,
			     (size_t)(p->context_end - p->context_start));
	snprintf(buf + used, size - used, "'");
	return buf;
}

static int parse_error(struct parser *p, size_t column, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int parse_error(struct parser *p, size_t column, const char *fmt, ...)
{
	char what[SMH_DIAG_MESSAGE_MAX];
	va_list args;

	va_start(args, fmt);
	vsnprintf(what, sizeof(what), fmt, args);
	va_end(args);
	return smh_diag_set(p->diag, -EINVAL, "%s:%zu:%zu: %s", p->program->display_name, p->line,
			    column, what);
}

/* "expected <what> after '<statement so far>', got <token>" at the token. */
static int expected(struct parser *p, const struct token *tok, const char *what)
{
	char context[4 * QUOTE_MAX + 16];
	char got[4 * QUOTE_MAX + 16];

	return parse_error(p, tok->column, "expected %s after %s, got %s", what,
			   describe_context(p, context, sizeof(context)),
			   describe_token(tok, got, sizeof(got)));
}

/* ---- Values ---- */

enum number_status { NUMBER_OK, NUMBER_BAD, NUMBER_TOO_LARGE };

static int hex_digit(char c)
{
	if (is_digit(c)) {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* Decimal or 0x hex, with an optional K (x1024) or M (x1024*1024) suffix. */
static enum number_status parse_number(const struct token *tok, uint64_t *value)
{
	const char *c = tok->start;
	const char *end = tok->start + tok->len;
	unsigned int base = 10;
	uint64_t multiplier = 1;
	uint64_t v = 0;

	if (tok->kind != TOKEN_WORD || tok->len == 0) {
		return NUMBER_BAD;
	}
	if (end[-1] == 'K' || end[-1] == 'k') {
		multiplier = 1024;
		end--;
	} else if (end[-1] == 'M' || end[-1] == 'm') {
		multiplier = 1024 * 1024;
		end--;
	}
	if (end - c > 2 && c[0] == '0' && (c[1] == 'x' || c[1] == 'X')) {
		base = 16;
		c += 2;
	}
	if (c == end) {
		return NUMBER_BAD;
	}
	bool too_large = false;

	for (; c < end; c++) {
		int digit = base == 16 ? hex_digit(*c) : (is_digit(*c) ? *c - '0' : -1);

		if (digit < 0) {
			return NUMBER_BAD;
		}
		/* Keep scanning after an overflow: "12x" is bad, not too large. */
		if (v > (UINT64_MAX - (uint64_t)digit) / base) {
			too_large = true;
		}
		v = v * base + (uint64_t)digit;
	}
	if (too_large || v > UINT64_MAX / multiplier) {
		return NUMBER_TOO_LARGE;
	}
	*value = v * multiplier;
	return NUMBER_OK;
}

/* A size_t operand: sizes, alignments, comparison values. */
static int parse_size_token(struct parser *p, const struct token *tok, const char *what,
			    size_t *out)
{
	char got[4 * QUOTE_MAX + 16];
	uint64_t v = 0;

	switch (parse_number(tok, &v)) {
	case NUMBER_OK:
		if (v <= SIZE_MAX) {
			*out = (size_t)v;
			consumed(p, tok);
			return 0;
		}
		/* fallthrough */
	case NUMBER_TOO_LARGE:
		return parse_error(p, tok->column, "%s %s is out of range (at most %#zx)", what,
				   describe_token(tok, got, sizeof(got)), (size_t)SIZE_MAX);
	case NUMBER_BAD:
	default:
		break;
	}
	char article_what[64];

	snprintf(article_what, sizeof(article_what), "a%s %s",
		 (what[0] == 'a' || what[0] == 'o') ? "n" : "", what);
	return expected(p, tok, article_what);
}

static int parse_alignment(struct parser *p, const struct token *tok, size_t *out)
{
	size_t align = 0;
	int ret = parse_size_token(p, tok, "alignment", &align);

	if (ret != 0) {
		return ret;
	}
	if (align == 0 || (align & (align - 1)) != 0) {
		char got[4 * QUOTE_MAX + 16];

		return parse_error(p, tok->column, "alignment %s is not a power of two",
				   describe_token(tok, got, sizeof(got)));
	}
	*out = align;
	return 0;
}

static int parse_byte(struct parser *p, const struct token *tok, uint8_t *out)
{
	uint64_t v = 0;

	if (parse_number(tok, &v) != NUMBER_OK || v > 0xff) {
		return expected(p, tok, "a byte value (0..255)");
	}
	*out = (uint8_t)v;
	consumed(p, tok);
	return 0;
}

static bool attr_from_token(const struct token *tok, uint32_t *attr)
{
	static const char *const numbers[SMH_REG_ATTR_NUM] = {"0", "1", "2"};

	for (uint32_t a = 0; a < SMH_REG_ATTR_NUM; a++) {
		if (token_is(tok, attr_names[a]) || token_is(tok, numbers[a])) {
			*attr = a;
			return true;
		}
	}
	return false;
}

static int parse_attr(struct parser *p, const struct token *tok, uint32_t *attr)
{
	if (!attr_from_token(tok, attr)) {
		return expected(p, tok,
				"an attribute (cacheable, non-cacheable, external or 0..2)");
	}
	consumed(p, tok);
	return 0;
}

/* ---- Program building ---- */

static int out_of_memory(struct parser *p)
{
	return smh_diag_set(p->diag, -ENOMEM, "%s: out of memory while parsing the trace",
			    p->program->display_name);
}

/* Grows @array (of @capacity elements of @elem bytes) to hold one more. */
static bool grow(void **array, size_t *capacity, size_t count, size_t elem, size_t limit)
{
	if (count < *capacity) {
		return true;
	}
	size_t wanted = *capacity == 0 ? 16 : *capacity * 2;

	if (wanted > limit) {
		wanted = limit;
	}
	void *bigger = realloc(*array, wanted * elem);

	if (bigger == NULL) {
		return false;
	}
	*array = bigger;
	*capacity = wanted;
	return true;
}

static bool is_block_name(const struct token *tok)
{
	if (tok->kind != TOKEN_WORD || !is_alpha(tok->start[0])) {
		return false;
	}
	for (size_t i = 1; i < tok->len; i++) {
		if (!is_alpha(tok->start[i]) && !is_digit(tok->start[i])) {
			return false;
		}
	}
	return !token_is_keyword(tok);
}

/* Reads a block name and stores its index (new names are added). */
static int parse_block(struct parser *p, const struct token *tok, uint32_t *index)
{
	struct smh_trace_program *prog = p->program;

	if (!is_block_name(tok)) {
		return expected(p, tok, "a block name");
	}
	if (tok->len > SMH_TRACE_NAME_MAX) {
		char got[4 * QUOTE_MAX + 16];

		return parse_error(p, tok->column, "block name %s is longer than %u characters",
				   describe_token(tok, got, sizeof(got)), SMH_TRACE_NAME_MAX);
	}
	consumed(p, tok);
	for (size_t i = 0; i < prog->block_count; i++) {
		if (strlen(prog->blocks[i]) == tok->len &&
		    memcmp(prog->blocks[i], tok->start, tok->len) == 0) {
			*index = (uint32_t)i;
			return 0;
		}
	}
	if (prog->block_count >= SMH_TRACE_MAX_BLOCKS) {
		return parse_error(p, tok->column, "too many block names (at most %u in a trace)",
				   SMH_TRACE_MAX_BLOCKS);
	}
	if (!grow((void **)&prog->blocks, &prog->block_capacity, prog->block_count,
		  sizeof(prog->blocks[0]), SMH_TRACE_MAX_BLOCKS)) {
		return out_of_memory(p);
	}
	memcpy(prog->blocks[prog->block_count], tok->start, tok->len);
	prog->blocks[prog->block_count][tok->len] = '\0';
	*index = (uint32_t)prog->block_count++;
	return 0;
}

static int parse_region(struct parser *p, const struct token *tok, char *region)
{
	if (tok->kind != TOKEN_WORD) {
		return expected(p, tok, "a region name");
	}
	if (tok->len > SMH_TRACE_REGION_NAME_MAX) {
		char got[4 * QUOTE_MAX + 16];

		return parse_error(p, tok->column, "region name %s is longer than %u characters",
				   describe_token(tok, got, sizeof(got)),
				   SMH_TRACE_REGION_NAME_MAX);
	}
	memcpy(region, tok->start, tok->len);
	region[tok->len] = '\0';
	consumed(p, tok);
	return 0;
}

static int parse_cmp(struct parser *p, const struct token *tok, enum trace_cmp *cmp)
{
	if (tok->kind != TOKEN_CMP) {
		return expected(p, tok, "a comparison (==, !=, <, <=, >, >=)");
	}
	*cmp = tok->cmp;
	consumed(p, tok);
	return 0;
}

/* ---- Statements ---- */

/* NAME = alloc|aligned_alloc|realloc ...; the name and '=' are read. */
static int parse_assignment(struct parser *p, struct trace_statement *stmt)
{
	struct token op = next_token(p);
	int ret;

	if (token_is(&op, "alloc")) {
		stmt->op = TRACE_OP_ALLOC;
	} else if (token_is(&op, "aligned_alloc")) {
		stmt->op = TRACE_OP_ALIGNED_ALLOC;
	} else if (token_is(&op, "realloc")) {
		stmt->op = TRACE_OP_REALLOC;
	} else {
		return expected(p, &op, "alloc, aligned_alloc or realloc");
	}
	/* Messages quote the operation, not the name it is assigned to. */
	p->context_start = op.start;
	consumed(p, &op);

	struct token tok = next_token(p);

	ret = parse_attr(p, &tok, &stmt->attr);
	if (ret != 0) {
		return ret;
	}
	tok = next_token(p);
	if (stmt->op == TRACE_OP_ALIGNED_ALLOC) {
		ret = parse_alignment(p, &tok, &stmt->align);
		if (ret != 0) {
			return ret;
		}
		tok = next_token(p);
	} else if (stmt->op == TRACE_OP_REALLOC) {
		if (token_is(&tok, "NULL")) {
			stmt->source = TRACE_NO_BLOCK;
			consumed(p, &tok);
		} else if (!is_block_name(&tok)) {
			return expected(p, &tok, "a block name or NULL");
		} else {
			ret = parse_block(p, &tok, &stmt->source);
			if (ret != 0) {
				return ret;
			}
		}
		tok = next_token(p);
	}
	return parse_size_token(p, &tok, "size", &stmt->size);
}

/* expect free|allocated|largest ATTR|REGION CMP SIZE; the kind word is read. */
static int parse_usage_expectation(struct parser *p, struct trace_statement *stmt)
{
	struct token tok = next_token(p);
	int ret;

	if (attr_from_token(&tok, &stmt->attr)) {
		consumed(p, &tok);
	} else if (tok.kind == TOKEN_WORD) {
		stmt->by_region = true;
		ret = parse_region(p, &tok, stmt->region);
		if (ret != 0) {
			return ret;
		}
	} else {
		return expected(p, &tok, "an attribute or a region name");
	}
	tok = next_token(p);
	ret = parse_cmp(p, &tok, &stmt->cmp);
	if (ret != 0) {
		return ret;
	}
	tok = next_token(p);
	return parse_size_token(p, &tok, "size", &stmt->size);
}

/* expect NAME in|aligned|usable|==|!= ...; the name is read. */
static int parse_block_expectation(struct parser *p, struct trace_statement *stmt)
{
	struct token tok = next_token(p);
	int ret;

	if (token_is(&tok, "in")) {
		consumed(p, &tok);
		stmt->expect = TRACE_EXPECT_IN;
		tok = next_token(p);
		return parse_region(p, &tok, stmt->region);
	}
	if (token_is(&tok, "aligned")) {
		consumed(p, &tok);
		stmt->expect = TRACE_EXPECT_ALIGNED;
		tok = next_token(p);
		return parse_alignment(p, &tok, &stmt->align);
	}
	if (token_is(&tok, "usable")) {
		consumed(p, &tok);
		stmt->expect = TRACE_EXPECT_USABLE;
		tok = next_token(p);
		ret = parse_cmp(p, &tok, &stmt->cmp);
		if (ret != 0) {
			return ret;
		}
		tok = next_token(p);
		return parse_size_token(p, &tok, "size", &stmt->size);
	}
	if (tok.kind == TOKEN_CMP && (tok.cmp == TRACE_CMP_EQ || tok.cmp == TRACE_CMP_NE)) {
		consumed(p, &tok);
		stmt->expect = tok.cmp == TRACE_CMP_EQ ? TRACE_EXPECT_NULL : TRACE_EXPECT_NOT_NULL;
		tok = next_token(p);
		if (!token_is(&tok, "NULL")) {
			return expected(p, &tok, "NULL");
		}
		consumed(p, &tok);
		return 0;
	}
	return expected(p, &tok, "in, aligned, usable, == NULL or != NULL");
}

static int parse_expectation(struct parser *p, struct trace_statement *stmt)
{
	struct token tok = next_token(p);

	stmt->op = TRACE_OP_EXPECT;
	if (token_is(&tok, "NULL")) {
		consumed(p, &tok);
		stmt->expect = TRACE_EXPECT_NULL;
		tok = next_token(p);
		return parse_block(p, &tok, &stmt->block);
	}
	if (token_is(&tok, "free") || token_is(&tok, "allocated") || token_is(&tok, "largest")) {
		consumed(p, &tok);
		stmt->expect = token_is(&tok, "free")      ? TRACE_EXPECT_FREE
			       : token_is(&tok, "largest") ? TRACE_EXPECT_LARGEST
							   : TRACE_EXPECT_ALLOCATED;
		return parse_usage_expectation(p, stmt);
	}
	if (!is_block_name(&tok)) {
		return expected(p, &tok, "a block name, NULL, free, allocated or largest");
	}
	int ret = parse_block(p, &tok, &stmt->block);

	if (ret != 0) {
		return ret;
	}
	return parse_block_expectation(p, stmt);
}

/* Statements that start with a keyword naming a block: free, fill, ... */
static int parse_block_statement(struct parser *p, struct trace_statement *stmt)
{
	struct token tok = next_token(p);
	int ret = parse_block(p, &tok, &stmt->block);

	if (ret != 0 || (stmt->op != TRACE_OP_FILL && stmt->op != TRACE_OP_CHECK)) {
		return ret;
	}
	tok = next_token(p);
	return parse_byte(p, &tok, &stmt->byte);
}

static int parse_keyword_statement(struct parser *p, const struct token *first,
				   struct trace_statement *stmt)
{
	static const struct {
		const char *word;
		enum trace_op op;
	} simple[] = {
		{"free", TRACE_OP_FREE},         {"unsafe_free", TRACE_OP_UNSAFE_FREE},
		{"fill", TRACE_OP_FILL},         {"check", TRACE_OP_CHECK},
		{"validate", TRACE_OP_VALIDATE}, {"reset", TRACE_OP_RESET},
	};

	if (token_is(first, "expect")) {
		return parse_expectation(p, stmt);
	}
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (token_is(first, simple[i].word)) {
			stmt->op = simple[i].op;
			if (stmt->op == TRACE_OP_VALIDATE || stmt->op == TRACE_OP_RESET) {
				return 0;
			}
			return parse_block_statement(p, stmt);
		}
	}
	char got[4 * QUOTE_MAX + 16];

	return parse_error(p, first->column,
			   "expected a statement (NAME = alloc|aligned_alloc|realloc, free, "
			   "unsafe_free, fill, check, expect, validate or reset), got %s",
			   describe_token(first, got, sizeof(got)));
}

static int append_statement(struct parser *p, const struct trace_statement *stmt)
{
	struct smh_trace_program *prog = p->program;

	if (prog->statement_count >= SMH_TRACE_MAX_STATEMENTS) {
		return parse_error(p, 1, "too many statements (at most %u in a trace)",
				   SMH_TRACE_MAX_STATEMENTS);
	}
	if (!grow((void **)&prog->statements, &prog->statement_capacity, prog->statement_count,
		  sizeof(prog->statements[0]), SMH_TRACE_MAX_STATEMENTS)) {
		return out_of_memory(p);
	}
	prog->statements[prog->statement_count++] = *stmt;
	return 0;
}

/* One line: nothing, a comment, or one statement and maybe a comment. */
static int parse_line(struct parser *p)
{
	struct trace_statement stmt = {.line = p->line, .source = TRACE_NO_BLOCK};
	struct token first = next_token(p);
	int ret;

	if (first.kind == TOKEN_END) {
		return 0;
	}
	p->context_start = first.start;
	consumed(p, &first);
	if (first.kind == TOKEN_WORD && is_block_name(&first)) {
		struct token assign = next_token(p);

		if (token_is(&assign, "alloc") || token_is(&assign, "aligned_alloc") ||
		    token_is(&assign, "realloc")) {
			return expected(p, &assign, "'='");
		}
		if (assign.kind != TOKEN_ASSIGN) {
			char got[4 * QUOTE_MAX + 16];

			return parse_error(p, first.column,
					   "expected a statement (NAME = alloc|aligned_alloc|"
					   "realloc, free, unsafe_free, fill, check, expect, "
					   "validate or reset), got %s",
					   describe_token(&first, got, sizeof(got)));
		}
		ret = parse_block(p, &first, &stmt.block);
		if (ret != 0) {
			return ret;
		}
		consumed(p, &assign);
		ret = parse_assignment(p, &stmt);
	} else {
		ret = parse_keyword_statement(p, &first, &stmt);
	}
	if (ret != 0) {
		return ret;
	}
	struct token rest = next_token(p);

	if (rest.kind != TOKEN_END) {
		return expected(p, &rest, "end of line");
	}
	return append_statement(p, &stmt);
}

void smh_trace_program_free(struct smh_trace_program *program)
{
	if (program != NULL) {
		free(program->display_name);
		free(program->statements);
		free(program->blocks);
		free(program);
	}
}

int smh_trace_parse(const char *text, size_t len, const char *display_name,
		    struct smh_trace_program **program, struct smh_diag *diag)
{
	if (program == NULL || (text == NULL && len > 0)) {
		return smh_diag_set(diag, -EINVAL, "smh_trace_parse: invalid arguments");
	}
	*program = NULL;
	smh_diag_clear(diag);

	const char *name = display_name != NULL ? display_name : "<trace>";
	struct smh_trace_program *prog = calloc(1, sizeof(*prog));

	if (prog == NULL || (prog->display_name = strdup(name)) == NULL) {
		free(prog);
		return smh_diag_set(diag, -ENOMEM, "%s: out of memory while parsing the trace",
				    name);
	}

	struct parser p = {.program = prog, .diag = diag};

	if (text == NULL) {
		text = ""; /* len is 0: no pointer arithmetic on NULL */
	}
	const char *end = text + len;
	const char *line = text;
	int ret = 0;

	while (line < end && ret == 0) {
		const char *newline = memchr(line, '\n', (size_t)(end - line));

		p.line++;
		p.line_start = line;
		p.line_end = newline != NULL ? newline : end;
		p.cursor = line;
		ret = parse_line(&p);
		if (newline == NULL) {
			break;
		}
		line = newline + 1;
	}
	if (ret != 0) {
		smh_trace_program_free(prog);
		return ret;
	}
	*program = prog;
	return 0;
}

size_t smh_trace_statement_count(const struct smh_trace_program *program)
{
	return program != NULL ? program->statement_count : 0;
}

const char *smh_trace_display_name(const struct smh_trace_program *program)
{
	return program != NULL ? program->display_name : NULL;
}

/* ---- Canonical text ---- */

static void format_expectation(const struct smh_trace_program *program,
			       const struct trace_statement *stmt, char *buf, size_t size)
{
	const char *block = stmt->block < program->block_count ? program->blocks[stmt->block] : "?";
	static const char *const usage_words[] = {
		[TRACE_EXPECT_FREE] = "free",
		[TRACE_EXPECT_ALLOCATED] = "allocated",
		[TRACE_EXPECT_LARGEST] = "largest",
	};

	switch (stmt->expect) {
	case TRACE_EXPECT_IN:
		snprintf(buf, size, "%s in %s", block, stmt->region);
		break;
	case TRACE_EXPECT_NULL:
		snprintf(buf, size, "%s == NULL", block);
		break;
	case TRACE_EXPECT_NOT_NULL:
		snprintf(buf, size, "%s != NULL", block);
		break;
	case TRACE_EXPECT_ALIGNED:
		snprintf(buf, size, "%s aligned %#zx", block, stmt->align);
		break;
	case TRACE_EXPECT_USABLE:
		snprintf(buf, size, "%s usable %s %#zx", block, trace_cmp_name(stmt->cmp),
			 stmt->size);
		break;
	case TRACE_EXPECT_FREE:
	case TRACE_EXPECT_ALLOCATED:
	case TRACE_EXPECT_LARGEST:
		snprintf(buf, size, "%s %s %s %#zx", usage_words[stmt->expect],
			 stmt->by_region ? stmt->region : trace_attr_name(stmt->attr),
			 trace_cmp_name(stmt->cmp), stmt->size);
		break;
	default:
		snprintf(buf, size, "?");
		break;
	}
}

void trace_format_statement(const struct smh_trace_program *program,
			    const struct trace_statement *stmt, bool body_only, char *buf,
			    size_t size)
{
	const char *block = stmt->block < program->block_count ? program->blocks[stmt->block] : "?";
	const char *source =
		stmt->source < program->block_count ? program->blocks[stmt->source] : "NULL";
	const char *attr = trace_attr_name(stmt->attr);

	switch (stmt->op) {
	case TRACE_OP_ALLOC:
		snprintf(buf, size, "%s = alloc %s %#zx", block, attr, stmt->size);
		break;
	case TRACE_OP_ALIGNED_ALLOC:
		snprintf(buf, size, "%s = aligned_alloc %s %#zx %#zx", block, attr, stmt->align,
			 stmt->size);
		break;
	case TRACE_OP_REALLOC:
		snprintf(buf, size, "%s = realloc %s %s %#zx", block, attr, source, stmt->size);
		break;
	case TRACE_OP_FREE:
		snprintf(buf, size, "free %s", block);
		break;
	case TRACE_OP_UNSAFE_FREE:
		snprintf(buf, size, "unsafe_free %s", block);
		break;
	case TRACE_OP_FILL:
	case TRACE_OP_CHECK:
		snprintf(buf, size, "%s %s 0x%02x", stmt->op == TRACE_OP_FILL ? "fill" : "check",
			 block, stmt->byte);
		break;
	case TRACE_OP_VALIDATE:
		snprintf(buf, size, "validate");
		break;
	case TRACE_OP_RESET:
		snprintf(buf, size, "reset");
		break;
	case TRACE_OP_EXPECT: {
		size_t skip = body_only ? 0 : (size_t)snprintf(buf, size, "expect ");

		if (skip < size) {
			format_expectation(program, stmt, buf + skip, size - skip);
		}
		break;
	}
	default:
		snprintf(buf, size, "?");
		break;
	}
}

int smh_trace_write(const struct smh_trace_program *program, FILE *out)
{
	char text[256];

	if (program == NULL || out == NULL) {
		return -EINVAL;
	}
	for (size_t i = 0; i < program->statement_count; i++) {
		trace_format_statement(program, &program->statements[i], false, text, sizeof(text));
		if (fprintf(out, "%s\n", text) < 0) {
			return -EIO;
		}
	}
	return fflush(out) == 0 ? 0 : -EIO;
}
