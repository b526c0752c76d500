// labnet: the Xen lab's traffic generator, built static so that dom0 and the
// guests run the same binary from their initramfs.
//   labnet echo PORT                        send every UDP datagram back
//   labnet flood HOST PORT FLOWS SECONDS    FLOWS sockets (FLOWS source ports,
//                                           so FLOWS flow hashes and several
//                                           netback queues) send to HOST:PORT
//                                           round-robin and read the echoes
// flood prints "sent N received M" and exits 0 when some echo came back.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int echo(int port) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0) {
    perror("labnet echo: bind");
    return 1;
  }
  char buf[2048];
  for (;;) {
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    if (n > 0) sendto(s, buf, n, 0, (struct sockaddr *)&from, len);
  }
}

static int flood(const char *host, int port, int flows, double seconds) {
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (flows < 1 || flows > 64 || inet_pton(AF_INET, host, &to.sin_addr) != 1) {
    fprintf(stderr, "labnet flood: bad host or flow count\n");
    return 2;
  }
  int s[64];
  for (int i = 0; i < flows; i++) {
    s[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (s[i] < 0 || connect(s[i], (struct sockaddr *)&to, sizeof to) != 0) {
      perror("labnet flood: connect");
      return 2;
    }
  }
  char buf[1024];
  memset(buf, 'x', sizeof buf);
  long sent = 0, received = 0;
  double end = now() + seconds;
  while (now() < end) {
    for (int i = 0; i < flows; i++) {
      if (send(s[i], buf, 512, 0) > 0) sent++;
      while (recv(s[i], buf, sizeof buf, MSG_DONTWAIT) > 0) received++;
    }
    usleep(200);  // leave the (emulated) CPUs to netback and the guest
  }
  usleep(200000);
  for (int i = 0; i < flows; i++)
    while (recv(s[i], buf, sizeof buf, MSG_DONTWAIT) > 0) received++;
  printf("sent %ld received %ld\n", sent, received);
  return received > 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "echo") == 0) return echo(atoi(argv[2]));
  if (argc == 6 && strcmp(argv[1], "flood") == 0)
    return flood(argv[2], atoi(argv[3]), atoi(argv[4]), atof(argv[5]));
  fprintf(stderr, "usage: labnet echo PORT | labnet flood HOST PORT FLOWS SECONDS\n");
  return 2;
}
