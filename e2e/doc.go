// Package e2e holds the browser tests: headless Chromium (Debian's chromium,
// installed by .ci/install-chromium) driven through chromedp against a real
// server with the demo data. The tests are in docs_test.go, and the walk
// through every operation of the contract ("Try it out", Execute) with its
// demo sites in tryitout_test.go; this package has no code of its own.
package e2e
