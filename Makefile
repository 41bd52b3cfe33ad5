# Builds and installs TokenBroker: the daemon (self-contained, no .NET runtime needed on the host),
# the NativeAOT CLI, the systemd unit with its sysusers.d and tmpfiles.d files, an example
# configuration, man pages, shell completions and the Cyrus SASL plugin.
#
#   make                                  build into build/
#   sudo make install PREFIX=/usr         install (DESTDIR=... stages into a directory instead)
#   sudo make uninstall PREFIX=/usr       remove what install put in place; /etc/tokenbroker and
#                                         /var/lib/tokenbroker (configuration, key, store) are kept

PREFIX      ?= /usr/local
DESTDIR     ?=
BUILD       ?= build
SYSCONFDIR  ?= /etc
BINDIR      ?= $(PREFIX)/bin
PKGLIBDIR   ?= $(PREFIX)/lib/tokenbroker
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/tokenbroker
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
BASHDIR     ?= $(PREFIX)/share/bash-completion/completions
ZSHDIR      ?= $(PREFIX)/share/zsh/vendor-completions
FISHDIR     ?= $(PREFIX)/share/fish/vendor_completions.d
DOTNET      ?= dotnet
INSTALL     ?= install

OUT    := $(abspath $(BUILD))
DAEMON := $(OUT)/daemon/tokenbrokerd
CLI    := $(OUT)/cli/tokenbroker
SASL   := $(MAKE) -C contrib/sasl-xoauth2 O=$(OUT)/sasl DESTDIR=$(DESTDIR)
SOURCES = $(shell find src -name '*.cs' -o -name '*.csproj') Directory.Build.props Directory.Packages.props

.PHONY: all install uninstall clean
.DELETE_ON_ERROR:

all: $(DAEMON) $(CLI)
	$(SASL)

$(DAEMON): $(SOURCES)
	$(DOTNET) publish src/TokenBroker.Daemon -c Release --use-current-runtime --self-contained -o $(OUT)/daemon

$(CLI): $(SOURCES)
	$(DOTNET) publish src/TokenBroker.Cli -c Release -o $(OUT)/cli

install: all
	# The daemon's directory is the package's own: emptied first, so an upgrade leaves no stale assembly behind.
	rm -rf $(DESTDIR)$(PKGLIBDIR)
	$(INSTALL) -d -m 0755 $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(BINDIR)
	cp -R $(OUT)/daemon/. $(DESTDIR)$(PKGLIBDIR)/
	find $(DESTDIR)$(PKGLIBDIR) \( -name '*.pdb' -o -name '*.xml' -o -name '*.dbg' \) -delete
	chmod -R u=rwX,go=rX $(DESTDIR)$(PKGLIBDIR)
	ln -sf $(PKGLIBDIR)/tokenbrokerd $(DESTDIR)$(BINDIR)/tokenbrokerd
	$(INSTALL) -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/tokenbroker
	$(INSTALL) -d -m 0755 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	sed -e 's|/usr/bin/tokenbrokerd|$(BINDIR)/tokenbrokerd|' -e 's|/etc/tokenbroker/|$(SYSCONFDIR)/tokenbroker/|' \
		systemd/tokenbroker.service > $(DESTDIR)$(UNITDIR)/tokenbroker.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/tokenbroker.service
	$(INSTALL) -m 0644 systemd/tokenbroker.sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/tokenbroker.conf
	$(INSTALL) -m 0644 systemd/tokenbroker.tmpfiles.conf $(DESTDIR)$(TMPFILESDIR)/tokenbroker.conf
	$(INSTALL) -d -m 0755 $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 0644 docs/tokenbroker.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 docs/tokenbroker.json.5 $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 docs/tokenbrokerd.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -d -m 0755 $(DESTDIR)$(BASHDIR) $(DESTDIR)$(ZSHDIR) $(DESTDIR)$(FISHDIR) $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 0644 contrib/completions/tokenbroker.bash $(DESTDIR)$(BASHDIR)/tokenbroker
	$(INSTALL) -m 0644 contrib/completions/_tokenbroker $(DESTDIR)$(ZSHDIR)/_tokenbroker
	$(INSTALL) -m 0644 contrib/completions/tokenbroker.fish $(DESTDIR)$(FISHDIR)/tokenbroker.fish
	$(INSTALL) -m 0644 contrib/tokenbroker.example.json README.md $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/tokenbroker
	# An existing configuration is the operator's: never replaced.
	test -e $(DESTDIR)$(SYSCONFDIR)/tokenbroker/tokenbroker.json || \
		$(INSTALL) -m 0640 contrib/tokenbroker.example.json $(DESTDIR)$(SYSCONFDIR)/tokenbroker/tokenbroker.json
	$(SASL) install
	@test -n "$(DESTDIR)" || echo "next: systemd-sysusers; systemd-tmpfiles --create; systemctl daemon-reload; see README, Install on Debian"

uninstall:
	rm -rf $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(BINDIR)/tokenbrokerd $(DESTDIR)$(BINDIR)/tokenbroker \
		$(DESTDIR)$(UNITDIR)/tokenbroker.service $(DESTDIR)$(SYSUSERSDIR)/tokenbroker.conf $(DESTDIR)$(TMPFILESDIR)/tokenbroker.conf \
		$(DESTDIR)$(MANDIR)/man1/tokenbroker.1 $(DESTDIR)$(MANDIR)/man5/tokenbroker.json.5 $(DESTDIR)$(MANDIR)/man8/tokenbrokerd.8 \
		$(DESTDIR)$(BASHDIR)/tokenbroker $(DESTDIR)$(ZSHDIR)/_tokenbroker $(DESTDIR)$(FISHDIR)/tokenbroker.fish
	$(SASL) uninstall

clean:
	rm -rf $(OUT)
