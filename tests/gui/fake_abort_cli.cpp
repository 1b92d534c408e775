// A stand-in for the clustertwin CLI that prints an error line and then aborts (SIGABRT): the GUI
// must report the crash and go on.
#include <cstdio>
#include <cstdlib>

int main() {
    std::fputs("  progress  20 %  wall 2 s\nerror: fake failure before the crash\n", stderr);
    std::fflush(stderr);
    std::abort();
}
