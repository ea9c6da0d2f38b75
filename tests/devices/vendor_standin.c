/*
 * A stand-in for a vendor's ID card reader library, built by the tests with
 *   cc -shared -fPIC -DSTANDIN_DIR='"/tmp/dir"' -o libstandin.so vendor_standin.c
 *
 * The test controls it through files in STANDIN_DIR, read on every call:
 *   state     one word: none (no card), card, fail_read, no_file, short, huge_length, no_reader,
 *             crazy_codes
 *   card.bin  the bytes a read hands out as the text block
 * and reads back what it was asked from the file "calls" (one call per line).
 *
 * Files style: Read_Content(mode) writes STANDIN_DIR/wz.txt and STANDIN_DIR/zp.wlt.
 * Buffer style: ReadBaseMsg(text, &text_len, photo, &photo_len, mode).
 */
#include <stdio.h>
#include <string.h>

#ifndef STANDIN_DIR
#error "compile with -DSTANDIN_DIR='\"/some/dir\"'"
#endif

static int opened = 0;

static void path_of(char *out, size_t size, const char *name) {
    snprintf(out, size, "%s/%s", STANDIN_DIR, name);
}

static void note(const char *call, int arg) {
    char path[4096];
    path_of(path, sizeof path, "calls");
    FILE *file = fopen(path, "a");
    if (file) {
        fprintf(file, "%s %d\n", call, arg);
        fclose(file);
    }
}

static int in_state(const char *word) {
    char path[4096], text[64] = "none";
    path_of(path, sizeof path, "state");
    FILE *file = fopen(path, "r");
    if (file) {
        if (!fgets(text, sizeof text, file)) strcpy(text, "none");
        fclose(file);
    }
    text[strcspn(text, " \r\n")] = 0;
    return strcmp(text, word) == 0;
}

static long card_bytes(unsigned char *out, long size) {
    char path[4096];
    path_of(path, sizeof path, "card.bin");
    FILE *file = fopen(path, "rb");
    if (!file) return 0;
    long got = (long)fread(out, 1, (size_t)size, file);
    fclose(file);
    return got;
}

static void write_file(const char *name, const unsigned char *data, long size) {
    char path[4096];
    path_of(path, sizeof path, name);
    FILE *file = fopen(path, "wb");
    if (file) {
        fwrite(data, 1, (size_t)size, file);
        fclose(file);
    }
}

int InitComm(int port) {
    note("InitComm", port);
    if (in_state("no_reader")) return 0;
    opened = 1;
    return 1;
}

int CloseComm(void) {
    note("CloseComm", 0);
    opened = 0;
    return 1;
}

int Authenticate(void) {
    note("Authenticate", 0);
    if (!opened) return 0;
    if (in_state("crazy_codes")) return -123456789;
    if (in_state("none") || in_state("no_reader")) return 0;
    return 1;
}

int Read_Content(int mode) {
    unsigned char text[4096], photo[1024];
    note("Read_Content", mode);
    if (in_state("fail_read")) return -4;
    if (in_state("crazy_codes")) return 987654321;
    if (in_state("no_file")) return 1;
    long size = card_bytes(text, sizeof text);
    if (in_state("short")) size = size > 100 ? 100 : size;
    memset(photo, 0x5A, sizeof photo);
    write_file("wz.txt", text, size);
    write_file("zp.wlt", photo, sizeof photo);
    return 1;
}

int ReadBaseMsg(unsigned char *text, unsigned int *text_len, unsigned char *photo, unsigned int *photo_len, int mode) {
    note("ReadBaseMsg", mode);
    if (in_state("fail_read")) return -4;
    long size = card_bytes(text, (long)*text_len);
    if (in_state("short")) size = size > 100 ? 100 : size;
    *text_len = in_state("huge_length") ? 1000000u : (unsigned int)size;
    memset(photo, 0x5A, *photo_len < 1024u ? *photo_len : 1024u);
    *photo_len = 1024u;
    return 1;
}
