// tessera user add: create an account (optionally admin) and print its token.
#include <cstdio>

#include "cli/common.h"
#include "server/auth/password.h"
#include "tessera/util.h"

namespace tessera::cli {

namespace {

struct UserAddOptions {
  DataOptions data;
  std::string email;
  std::string password;
  std::string first_name;
  std::string last_name;
  bool admin = false;
  bool print_token = false;
  bool exist_ok = false;
};

int RunUserAdd(const UserAddOptions& o) {
  auto store = OpenStore(o.data);
  if (!store.ok()) return Fail(store.status());
  Store& db = **store;
  std::string email = ToLower(Trim(o.email));
  if (email.find('@') == std::string::npos) {
    return Fail(Status::InvalidArgument("--email '" + o.email + "' is not an email address"));
  }
  User user;
  auto existing = db.GetUserByEmail(email);
  if (existing.ok()) {
    if (!o.exist_ok) {
      return Fail(Status::AlreadyExists("a user with email " + email +
                                        " already exists (use --exist-ok to reuse it)"));
    }
    user = *existing;
  } else {
    Status s = server::CheckNewPassword(o.password);
    if (!s.ok()) return Fail(s.WithPrefix("--password"));
    auto hash = server::HashPassword(o.password);
    if (!hash.ok()) return Fail(hash.status());
    user.email = email;
    user.username = email;
    user.first_name = o.first_name;
    user.last_name = o.last_name;
    user.password_hash = *hash;
    user.is_admin = o.admin;
    user.created_at = NowMs();
    s = db.CreateUser(&user);
    if (!s.ok()) return Fail(s);
  }
  auto token = db.GetApiToken(user.id);
  std::string key;
  if (token.ok()) {
    key = *token;
  } else {
    key = RandomHex(20);
    Status s = db.SetApiToken(user.id, key);
    if (!s.ok()) return Fail(s);
  }
  if (o.print_token) {
    std::printf("%s\n", key.c_str());
  } else {
    std::printf("user %lld: %s%s\n", static_cast<long long>(user.id), user.email.c_str(),
                user.is_admin ? " (admin)" : "");
  }
  return 0;
}

}  // namespace

void RegisterUser(CLI::App& app) {
  CLI::App* user = app.add_subcommand("user", "Manage user accounts");
  user->require_subcommand(1);
  auto opts = std::make_shared<UserAddOptions>();
  CLI::App* add = user->add_subcommand("add", "Create a user");
  AddDataOption(add, &opts->data);
  add->add_option("--email", opts->email, "Email (the login name)")->required();
  add->add_option("--password", opts->password, "Password (at least 8 characters)")->required();
  add->add_option("--first-name", opts->first_name, "First name");
  add->add_option("--last-name", opts->last_name, "Last name");
  add->add_flag("--admin", opts->admin, "Make the user a site administrator");
  add->add_flag("--print-token", opts->print_token, "Print the user's API token");
  add->add_flag("--exist-ok", opts->exist_ok, "Reuse the user if the email exists");
  add->callback([opts] { std::exit(RunUserAdd(*opts)); });
}

}  // namespace tessera::cli
