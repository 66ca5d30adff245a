// Parses one agent frame with the installed library and answers with an ack, as a server
// built on windash would. Exit status 0 only when both behave.
#include <windash/protocol.hpp>

#include <cstdio>
#include <string>

int main() {
    const std::string frame =
        R"({"type":"metrics","seq":7,"samples":[{"v":1,"ts":"2025-11-03T17:22:53Z",)"
        R"("hostId":"abc123","cpu":{"total":45.2,"perCore":[50,40]},"mem":{"used":1,"total":2},)"
        R"("disk":[],"net":{"txBps":0,"rxBps":0},"uptimeSec":1,"procCount":2},{"v":1}]})";
    windash::protocol::frame_parser parser;
    auto parsed = parser.parse(frame);
    if (!parsed) return std::printf("refused: %s\n", parsed.error().message.c_str()), 1;
    const auto& batch = parser.batch();
    windash::protocol::ack ack{batch.seq, batch.samples.size(), 0, batch.rejected};
    std::string reply;
    windash::protocol::write_ack(reply, ack);
    std::printf("%s\n", reply.c_str());
    return reply ==
                   R"({"type":"ack","seq":7,"accepted":1,"duplicates":0,"rejected":[{"index":1,"error":"samples[1].ts: is required"}]})"
               ? 0
               : 1;
}
