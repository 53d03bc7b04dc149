// The OpenAI-compatible API: chat completions and verbose_json
// transcriptions in the documented shapes, deterministic in their input.
#include <cmath>

#include "sim_harness.h"

namespace gantry::test::sim {
namespace {

// A 16 kHz mono 16-bit PCM WAV of `seconds` of a quiet tone.
std::string wav(double seconds) {
  const uint32_t rate = 16000;
  const auto samples = static_cast<uint32_t>(seconds * rate);
  const uint32_t data_bytes = samples * 2;
  std::string out;
  auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) {
      out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
  };
  auto u16 = [&](uint16_t v) {
    out.push_back(static_cast<char>(v & 0xff));
    out.push_back(static_cast<char>(v >> 8));
  };
  out += "RIFF";
  u32(36 + data_bytes);
  out += "WAVEfmt ";
  u32(16);
  u16(1);         // PCM
  u16(1);         // mono
  u32(rate);      // sample rate
  u32(rate * 2);  // byte rate
  u16(2);         // block align
  u16(16);        // bits per sample
  out += "data";
  u32(data_bytes);
  for (uint32_t i = 0; i < samples; ++i) {
    const auto v = static_cast<int16_t>(1000 * std::sin(i * 0.05));
    u16(static_cast<uint16_t>(v));
  }
  return out;
}

std::string form(const std::vector<std::pair<std::string, std::string>>& fields,
                 const std::string& file, const std::string& boundary) {
  std::string body;
  for (const auto& [name, value] : fields) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
            value + "\r\n";
  }
  body += "--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"episode.wav\"\r\n"
          "Content-Type: audio/wav\r\n\r\n" +
          file + "\r\n--" + boundary + "--\r\n";
  return body;
}

Reply transcribe(const SimProcess& sim, const std::string& body,
                 const std::string& key = "sk-sim") {
  return sim.send("POST", "/openai/v1/audio/transcriptions", body, key,
                  "multipart/form-data; boundary=xyzBOUNDARYxyz");
}

TEST(ProviderSimOpenAi, ChatCompletionSummarisesTheUserMessageDeterministically) {
  SimProcess sim;
  const json request = {
      {"model", "gpt-4o-mini"},
      {"messages",
       {{{"role", "system"}, {"content", "Summarise the meeting."}},
        {{"role", "user"},
         {"content",
          "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v Ada>We ship on Friday.</v>\n"}}}}};
  const Reply first = sim.send("POST", "/openai/v1/chat/completions", request.dump(), "sk-sim");
  ASSERT_EQ(first.status, 200) << first.body;
  const json body = first.asJson();
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_EQ(body["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  const std::string summary = body["choices"][0]["message"]["content"];
  EXPECT_NE(summary.find("We ship on Friday."), std::string::npos) << summary;
  EXPECT_GT(body["usage"]["total_tokens"].get<int>(), 0);
  const Reply again = sim.send("POST", "/openai/v1/chat/completions", request.dump(), "sk-sim");
  EXPECT_EQ(again.asJson()["choices"][0]["message"]["content"], summary);
}

TEST(ProviderSimOpenAi, TranscriptionOfAWavCoversItsDurationInThreeToEightSecondSegments) {
  SimProcess sim;
  const std::string body = form({{"model", "whisper-1"}, {"response_format", "verbose_json"}},
                                wav(20.5), "xyzBOUNDARYxyz");
  const Reply reply = transcribe(sim, body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json result = reply.asJson();
  EXPECT_DOUBLE_EQ(result["duration"].get<double>(), 20.5);
  EXPECT_FALSE(result["text"].get<std::string>().empty());
  const json& segments = result["segments"];
  ASSERT_FALSE(segments.empty());
  double at = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    const json& s = segments[i];
    EXPECT_EQ(s["id"], i);
    EXPECT_DOUBLE_EQ(s["start"].get<double>(), at);
    const double length = s["end"].get<double>() - s["start"].get<double>();
    EXPECT_GE(length, 3.0 - 1e-9);
    EXPECT_LE(length, 8.0 + 1e-9);
    EXPECT_FALSE(s["text"].get<std::string>().empty());
    at = s["end"];
  }
  EXPECT_DOUBLE_EQ(at, 20.5);
  EXPECT_EQ(transcribe(sim, body).asJson(), result);
}

TEST(ProviderSimOpenAi, DurationOfOtherAudioComesFromTheHint) {
  SimProcess sim;
  const Reply reply = transcribe(sim, form({{"model", "whisper-1"},
                                            {"response_format", "verbose_json"},
                                            {"duration_hint", "61.25"}},
                                           std::string(5000, 'm'), "xyzBOUNDARYxyz"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_DOUBLE_EQ(reply.asJson()["duration"].get<double>(), 61.25);
  EXPECT_DOUBLE_EQ(reply.asJson()["segments"].back()["end"].get<double>(), 61.25);
}

TEST(ProviderSimOpenAi, RefusesBadKeysAndBadForms) {
  SimProcess sim;
  const Reply wrong =
      transcribe(sim, form({{"model", "whisper-1"}}, wav(1), "xyzBOUNDARYxyz"), "sk-wrong");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.asJson()["error"]["code"], "invalid_api_key");
  EXPECT_EQ(transcribe(sim, "--xyzBOUNDARYxyz\r\nno headers end").status, 400);
  EXPECT_EQ(transcribe(sim, form({}, wav(1), "xyzBOUNDARYxyz")).status, 400);  // no model
  const Reply json_body =
      sim.send("POST", "/openai/v1/audio/transcriptions", "{}", "sk-sim", "application/json");
  EXPECT_EQ(json_body.status, 400);
  const Reply bad_chat = sim.send("POST", "/openai/v1/chat/completions", "{not json", "sk-sim");
  EXPECT_EQ(bad_chat.status, 400);
  EXPECT_TRUE(bad_chat.asJson()["error"].contains("message"));
}

}  // namespace
}  // namespace gantry::test::sim
