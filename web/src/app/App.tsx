// The app shell: who is signed in, the top bar, and the page for the URL.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, setUnauthorizedHandler } from "./api";
import { navigate, useRoute } from "./router";
import type { User } from "../model";
import { LoginPage } from "./pages/Login";
import { ProjectsPage } from "./pages/Projects";
import { ProjectPage } from "./pages/Project";
import { SettingsPage } from "./pages/Settings";
import { LabelPage } from "./pages/Label";
import { TaskPage } from "./pages/TaskView";
import { QualityPage } from "./pages/Quality";
import { ReviewPage } from "./pages/Review";
import { DashboardPage } from "./pages/Dashboard";

export function App(): JSX.Element {
  const route = useRoute();
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const refreshUser = () => {
    api.whoami().then(setUser, () => setUser(null));
  };
  useEffect(() => {
    setUnauthorizedHandler(() => {
      setUser(null);
      if (location.pathname !== "/login") navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, true);
    });
    refreshUser();
  }, []);
  useEffect(() => {
    if (user === null && route.page !== "login") navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, true);
  }, [user, route.page]);

  const logout = async () => {
    await api.logout().catch(() => undefined);
    setUser(null);
    navigate("/login", true);
  };

  let page: JSX.Element;
  if (route.page === "login") page = <LoginPage next={route.next} onLogin={setUser} />;
  else if (!user) page = <main><p role="status">Loading…</p></main>;
  else if (route.page === "projects") page = <ProjectsPage />;
  else if (route.page === "project") page = <ProjectPage id={route.id} pageNo={route.pageNo} query={route.query} user={user} />;
  else if (route.page === "settings") page = <SettingsPage id={route.id} />;
  else if (route.page === "label") page = <LabelPage id={route.id} />;
  else if (route.page === "quality") page = <QualityPage id={route.id} threshold={route.threshold} />;
  else if (route.page === "review") page = <ReviewPage id={route.id} filters={route.filters} user={user} />;
  else if (route.page === "dashboard") {
    page = <DashboardPage id={route.id} accuracyThreshold={route.accuracyThreshold} agreementThreshold={route.agreementThreshold} />;
  } else if (route.page === "task") page = <TaskPage id={route.id} taskId={route.taskId} userId={user.id} />;
  else page = <main><h1>Not found</h1><p>No page at {route.path}. <a href="/projects">Projects</a></p></main>;

  return (
    <>
      <header class="topbar">
        <a href="/projects" class="brand">Tessera</a>
        {user && (
          <>
            <a href="/projects">Projects</a>
            <span class="spacer" />
            <span class="who">{user.email}</span>
            <button type="button" onClick={() => void logout()}>Sign out</button>
          </>
        )}
      </header>
      {page}
    </>
  );
}
