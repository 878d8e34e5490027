// syncfs(2), which Swift's Glibc module leaves out (glibc declares it only
// under _GNU_SOURCE): the filesystem blob store flushes a batch of files with
// one call instead of an fsync per file.
#include <unistd.h>
extern int syncfs(int fd);
