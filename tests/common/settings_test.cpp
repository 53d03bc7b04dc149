// Settings: where each value comes from (default, env, flag, file), secrets
// from files, one-line errors, --print-config and --help that never show a
// secret.
#include "gantry/common/settings.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <tuple>

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

namespace gantry {
namespace {

constexpr SettingName kCount{"--count", "TEST_COUNT"};
constexpr SettingName kOffset{"--offset", "TEST_OFFSET"};
constexpr SettingName kName{"--name", "TEST_NAME"};
constexpr SettingName kKinds{"--kinds", "TEST_KINDS"};
constexpr SettingName kLimits{"--limit", "TEST_LIMITS"};
constexpr SettingName kDatabase{"--database-url", "TEST_DATABASE_URL"};
constexpr SettingName kToken{"--token", "TEST_TOKEN"};

constexpr const char* kVariables[] = {
    "TEST_COUNT",
    "TEST_OFFSET",
    "TEST_NAME",
    "TEST_KINDS",
    "TEST_LIMITS",
    "TEST_DATABASE_URL",
    "TEST_DATABASE_URL_FILE",
    "TEST_TOKEN",
    "TEST_TOKEN_FILE",
};

// "gantry-test" and `args`, as main receives them.
std::vector<const char*> argvOf(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  argv.reserve(args.size() + 1);
  argv.push_back("gantry-test");
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  return argv;
}

struct Fields {
  uint32_t count = 4;
  int64_t offset = -1;
  std::string name = "default-name";
  std::vector<std::string> kinds;
  std::vector<std::string> limits;
  std::string database_url;
  std::string token;
};

class ProcessSettings : public ::testing::Test {
 protected:
  ProcessSettings() {
    for (const char* variable : kVariables) {
      ::unsetenv(variable);
    }
    settings_.add(kCount, fields_.count, "How many");
    settings_.add(kOffset, fields_.offset, "Where from");
    settings_.add(kName, fields_.name, "What it is called");
    settings_.add(kKinds, fields_.kinds, "Kinds, comma-separated", ',');
    settings_.add(kLimits, fields_.limits, "NAME=N limits");
    settings_.addSecret(kDatabase, fields_.database_url, "Connection string",
                        SecretForm::kConnectionString);
    settings_.addSecret(kToken, fields_.token, "API token");
    settings_.addPrintConfig();
  }
  ~ProcessSettings() override {
    for (const char* variable : kVariables) {
      ::unsetenv(variable);
    }
    for (const auto& path : files_) {
      std::remove(path.c_str());
    }
  }

  // CLI11 parse and resolve(); CLI11's own errors throw.
  Status parse(const std::vector<std::string>& args) {
    const std::vector<const char*> argv = argvOf(args);
    app_.parse(static_cast<int>(argv.size()), argv.data());
    return settings_.resolve();
  }

  struct Run {
    std::optional<int> code;
    std::string out;
    std::string err;
  };
  // The whole start, as main runs it.
  Run start(const std::vector<std::string>& args,
            const std::function<Status()>& validate = nullptr) {
    const std::vector<const char*> argv = argvOf(args);
    std::ostringstream out;
    std::ostringstream err;
    Run run;
    run.code =
        settings_.parseCommandLine(static_cast<int>(argv.size()), argv.data(), validate, out, err);
    run.out = out.str();
    run.err = err.str();
    return run;
  }

  std::string writeFile(const std::string& content) {
    char path[] = "/tmp/gantry-settings-test-XXXXXX";
    const int fd = ::mkstemp(path);
    EXPECT_GE(fd, 0);
    ::close(fd);
    std::ofstream(path) << content;
    files_.emplace_back(path);
    return path;
  }

  CLI::App app_{"test"};
  Fields fields_;
  Settings settings_{app_, "gantry-test"};
  std::vector<std::string> files_;
};

size_t lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST_F(ProcessSettings, EachValueKnowsWhetherItCameFromDefaultEnvOrFlag) {
  ::setenv("TEST_COUNT", "7", 1);
  ::setenv("TEST_NAME", "from-env", 1);
  ASSERT_TRUE(parse({"--name", "from-flag"}).isOk());
  EXPECT_EQ(fields_.count, 7u);
  EXPECT_EQ(settings_.source("--count"), SettingSource::kEnv);
  EXPECT_EQ(fields_.name, "from-flag");  // the flag wins over its variable
  EXPECT_EQ(settings_.source("--name"), SettingSource::kFlag);
  EXPECT_EQ(fields_.offset, -1);
  EXPECT_EQ(settings_.source("--offset"), SettingSource::kDefault);
}

TEST_F(ProcessSettings, FlagGivenWithTheVariablesValueStillCountsAsFlag) {
  ::setenv("TEST_COUNT", "7", 1);
  ASSERT_TRUE(parse({"--count", "7"}).isOk());
  EXPECT_EQ(settings_.source("--count"), SettingSource::kFlag);
}

TEST_F(ProcessSettings, EmptyVariableCountsAsUnset) {
  ::setenv("TEST_NAME", "", 1);
  ASSERT_TRUE(parse({}).isOk());
  EXPECT_EQ(fields_.name, "default-name");
  EXPECT_EQ(settings_.source("--name"), SettingSource::kDefault);
}

TEST_F(ProcessSettings, ListsSplitAtTheirSeparatorInFlagsAndVariables) {
  ::setenv("TEST_LIMITS", " a=1\n b=2  ", 1);
  ASSERT_TRUE(parse({"--kinds", "noop,sleep", "--kinds", "echo"}).isOk());
  EXPECT_EQ(fields_.kinds, (std::vector<std::string>{"noop", "sleep", "echo"}));
  EXPECT_EQ(fields_.limits, (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_EQ(settings_.source("--limit"), SettingSource::kEnv);
}

TEST_F(ProcessSettings, BadNumberIsOneLineNamingFlagVariableValueAndRule) {
  for (const auto& [args, env, expected] :
       std::vector<std::tuple<std::vector<std::string>, std::string, std::string>>{
           {{"--count", "abc"}, "", "'abc' must be an integer between 0 and 4294967295"},
           {{"--count", "-1"}, "", "'-1' must be an integer between 0 and 4294967295"},
           {{"--count", "4294967296"}, "", "'4294967296' must be an integer between 0 and"},
           {{"--count", "+3"}, "", "'+3' must be an integer"},
           {{}, "1e3", "'1e3' must be an integer between 0 and 4294967295"},
       }) {
    CLI::App app;
    uint32_t count = 0;
    Settings settings(app, "gantry-test");
    settings.add(kCount, count, "How many");
    if (!env.empty()) {
      ::setenv("TEST_COUNT", env.c_str(), 1);
    }
    const std::vector<const char*> argv = argvOf(args);
    app.parse(static_cast<int>(argv.size()), argv.data());
    const Status s = settings.resolve();
    ::unsetenv("TEST_COUNT");
    ASSERT_FALSE(s.isOk()) << expected;
    EXPECT_EQ(s.message().rfind("--count (TEST_COUNT): " + expected, 0), 0u) << s.message();
    EXPECT_EQ(s.message().find('\n'), std::string::npos);
  }
}

TEST_F(ProcessSettings, NumbersAreDecimalNotOctal) {
  ASSERT_TRUE(parse({"--count", "010", "--offset", "-20"}).isOk());
  EXPECT_EQ(fields_.count, 10u);
  EXPECT_EQ(fields_.offset, -20);
}

TEST_F(ProcessSettings, SecretComesFromItsFileWithOneTrailingNewlineStripped) {
  ::setenv("TEST_TOKEN_FILE", writeFile("tok\n\n").c_str(), 1);
  ASSERT_TRUE(parse({"--database-url-file", writeFile("host=db password=pw\r\n")}).isOk());
  EXPECT_EQ(fields_.token, "tok\n");
  EXPECT_EQ(settings_.source("--token"), SettingSource::kFile);
  EXPECT_EQ(fields_.database_url, "host=db password=pw");
  EXPECT_EQ(settings_.source("--database-url"), SettingSource::kFile);
}

TEST_F(ProcessSettings, SecretFlagFormWinsOverTheVariableForm) {
  ::setenv("TEST_TOKEN", "from-env", 1);
  ::setenv("TEST_DATABASE_URL_FILE", writeFile("from-file").c_str(), 1);
  ASSERT_TRUE(
      parse({"--token-file", writeFile("from-file"), "--database-url", "from-flag"}).isOk());
  EXPECT_EQ(fields_.token, "from-file");
  EXPECT_EQ(settings_.source("--token"), SettingSource::kFile);
  EXPECT_EQ(fields_.database_url, "from-flag");
  EXPECT_EQ(settings_.source("--database-url"), SettingSource::kFlag);
}

TEST_F(ProcessSettings, SecretValueAndFileInTheSameFormAreRefused) {
  const std::string file = writeFile("from-file");
  Status both_flags = parse({"--token", "x", "--token-file", file});
  EXPECT_EQ(both_flags.message(), "--token and --token-file are both given; give one of them");
}

TEST_F(ProcessSettings, SecretVariableAndFileVariableTogetherAreRefused) {
  ::setenv("TEST_TOKEN", "x", 1);
  ::setenv("TEST_TOKEN_FILE", writeFile("from-file").c_str(), 1);
  EXPECT_EQ(parse({}).message(), "TEST_TOKEN and TEST_TOKEN_FILE are both set; set one of them");
}

TEST_F(ProcessSettings, UnreadableSecretFileIsOneLineNamingSettingAndPath) {
  Status missing = parse({"--token-file", "/nonexistent/token"});
  EXPECT_EQ(missing.message(),
            "--token-file (TEST_TOKEN_FILE): cannot read '/nonexistent/token': No such file or "
            "directory");
}

TEST_F(ProcessSettings, EmptySecretFileIsRefused) {
  const std::string file = writeFile("\n");
  EXPECT_EQ(parse({"--token-file", file}).message(),
            "--token-file (TEST_TOKEN_FILE): '" + file + "' is empty");
}

TEST_F(ProcessSettings, PrintConfigIsAlignedWithSourcesAndSecretsMasked) {
  ::setenv("TEST_COUNT", "12", 1);
  ::setenv("TEST_TOKEN", "tok-123", 1);
  Run run = start({"--print-config", "--database-url", "postgresql://gantry:pw@db/gantry",
                   "--kinds", "noop,sleep"});
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(run.out,
            "count        = 12                                  (env)\n"
            "offset       = -1                                  (default)\n"
            "name         = default-name                        (default)\n"
            "kinds        = noop,sleep                          (flag)\n"
            "limit        = \"\"                                  (default)\n"
            "database-url = postgresql://gantry:****@db/gantry  (flag)\n"
            "token        = ****                                (env)\n");
}

TEST_F(ProcessSettings, PrintConfigOfAnInvalidConfigurationPrintsItThenRefusesIt) {
  Run run = start({"--print-config", "--count", "0"},
                  [&] { return checkRange(kCount, fields_.count, uint64_t{1}, uint64_t{10}); });
  EXPECT_EQ(run.code, kExitBadConfig);
  EXPECT_NE(run.out.find("count "), std::string::npos);
  EXPECT_EQ(run.err, "gantry-test: --count (TEST_COUNT): '0' must be between 1 and 10\n");
}

TEST_F(ProcessSettings, ValidConfigurationGoesOnToStart) {
  Run run = start({"--count", "3"}, [] { return Status::ok(); });
  EXPECT_EQ(run.code, std::nullopt);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "");
}

TEST_F(ProcessSettings, HelpNamesVariablesAndShowsNoSecret) {
  ::setenv("TEST_DATABASE_URL", "postgresql://gantry:hunter2@db/gantry", 1);
  ::setenv("TEST_TOKEN", "tok-hunter2", 1);
  Run run = start({"--help"});
  EXPECT_EQ(run.code, 0);
  EXPECT_NE(run.out.find("(Env:TEST_COUNT)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("(Env:TEST_DATABASE_URL_FILE)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("UINT=4"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("hunter2"), std::string::npos) << run.out;
}

TEST_F(ProcessSettings, ParseErrorsAreOneLineAndDoNotEchoASecret) {
  Run run =
      start({"--database-url", "postgresql://u:hunter2@db/x", "stray", "host=db password=pw2"});
  EXPECT_EQ(run.code, kExitBadConfig);
  EXPECT_EQ(lines(run.err), 1u) << run.err;
  EXPECT_EQ(run.err.rfind("gantry-test: the following arguments were not expected", 0), 0u)
      << run.err;
  EXPECT_EQ(run.err.find("hunter2"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("pw2"), std::string::npos) << run.err;
}

TEST_F(ProcessSettings, ScrubHidesSecretValuesAndConnectionPasswords) {
  ASSERT_TRUE(parse({"--database-url", "host=db password=hunter2", "--token", "tok-9"}).isOk());
  EXPECT_EQ(settings_.scrub("failed: tok-9 / host=db password=hunter2 / postgresql://u:pw@db"),
            "failed: **** / host=db password=**** / postgresql://u:****@db");
}

TEST(SettingChecks, MessagesNameFlagVariableValueAndRule) {
  EXPECT_EQ(checkRange(kCount, uint32_t{0}, 1, 60000).message(),
            "--count (TEST_COUNT): '0' must be between 1 and 60000");
  EXPECT_EQ(checkRange(kOffset, int64_t{-5}, 0, 10).message(),
            "--offset (TEST_OFFSET): '-5' must be between 0 and 10");
  EXPECT_TRUE(checkRange(kCount, uint32_t{1}, 1, 1).isOk());
  constexpr std::array<std::string_view, 2> kChoices = {"a", "b"};
  EXPECT_EQ(checkOneOf({"--mode", ""}, "c", kChoices).message(), "--mode: 'c' must be one of a|b");
  EXPECT_TRUE(checkOneOf({"--mode", ""}, "b", kChoices).isOk());
}

}  // namespace
}  // namespace gantry
