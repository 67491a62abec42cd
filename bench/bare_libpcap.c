/* bare_libpcap.c — the floor for scripts/bench: read every packet of a capture with libpcap
 * (pcap_next_ex) and do nothing else but count packets and captured bytes.
 *
 *   gcc -O2 -o bare_libpcap bench/bare_libpcap.c -lpcap
 *   ./bare_libpcap FILE        -> "PACKETS BYTES" on stdout
 */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    if (argc != 2) {
        fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
        return 2;
    }
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "bare_libpcap: %s\n", err);
        return 2;
    }
    struct pcap_pkthdr *hdr;
    const unsigned char *data;
    unsigned long long packets = 0, bytes = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        packets++;
        bytes += hdr->caplen;
    }
    if (rc == PCAP_ERROR)
        fprintf(stderr, "bare_libpcap: %s\n", pcap_geterr(p));
    printf("%llu %llu\n", packets, bytes);
    pcap_close(p);
    return 0;
}
