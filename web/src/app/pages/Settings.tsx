// Project settings: the labeling config (ConfigEditor: checked as you type,
// locally and by the server's validator, messages at their lines, a live
// preview on the project's first task) and members.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { ConfigEditor } from "./ConfigEditor";
import { GuidelinesSettings } from "./GuidelinesSettings";
import { PrefilterSettings } from "./PrefilterSettings";
import { ErrorBox, errorText, useLoad } from "./common";

export function SettingsPage(props: { id: number }): JSX.Element {
  const [project, error] = useLoad(() => api.project(props.id), [props.id]);
  const [members, membersError, reloadMembers] = useLoad(() => api.members(props.id), [props.id]);
  const [sample] = useLoad(() => api.tasks(props.id, 1, 1), [props.id]);
  const [xml, setXml] = useState("");
  const [title, setTitle] = useState("");
  const [serverMessages, setServerMessages] = useState<readonly string[]>([]);
  const [status, setStatus] = useState("");
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("annotator");
  const [memberError, setMemberError] = useState("");

  // Fill the editors once, when the project arrives; until then they are
  // disabled, so nothing typed early is overwritten by the load.
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    if (project && !loaded) {
      setXml(project.label_config);
      setTitle(project.title);
      setLoaded(true);
    }
  }, [project, loaded]);

  const validate = async (): Promise<boolean> => {
    setStatus("Checking…");
    try {
      await api.validateConfig(xml);
      setServerMessages([]);
      setStatus("The server accepts this config.");
      return true;
    } catch (e: unknown) {
      setServerMessages([]);
      setStatus(`The server rejects this config (${errorText(e).split("\n").length} problems, listed above).`);
      return false;
    }
  };
  const save = async () => {
    if (!(await validate())) return;
    setServerMessages([]);
    try {
      await api.updateProject(props.id, { title, label_config: xml });
      setStatus("Saved.");
    } catch (e: unknown) {
      setServerMessages(errorText(e).split("\n"));
      setStatus("");
    }
  };
  const addMember = async (e: Event) => {
    e.preventDefault();
    setMemberError("");
    try {
      await api.addMember(props.id, email, role);
      setEmail("");
      reloadMembers();
    } catch (err: unknown) {
      setMemberError(errorText(err));
    }
  };

  return (
    <main>
      <h1>Settings: {project?.title ?? props.id}</h1>
      <nav class="subnav" aria-label="Project"><a href={`/projects/${props.id}`}>Tasks</a> <a href={`/projects/${props.id}/label`}>Label</a></nav>
      <ErrorBox error={error} />
      <label>Title <input value={title} disabled={!loaded} onInput={(e) => setTitle(e.currentTarget.value)} /></label>
      <ConfigEditor xml={xml} disabled={!loaded} onInput={setXml} sample={sample?.tasks[0]}>
        <>
          {serverMessages.length > 0 && <ErrorBox error={`Not saved:\n${serverMessages.join("\n")}`} />}
          <div class="row">
            <button type="button" disabled={!loaded} onClick={() => void validate()}>Validate</button>
            <button type="button" class="primary" disabled={!loaded} onClick={() => void save()}>Save</button>
            <span aria-live="polite">{status}</span>
          </div>
        </>
      </ConfigEditor>

      <h2>Members</h2>
      <ErrorBox error={membersError} />
      <table>
        <thead><tr><th scope="col">Email</th><th scope="col">Role</th></tr></thead>
        <tbody>
          {members?.map((m) => <tr key={m.user.id}><td>{m.user.email}</td><td>{m.role}</td></tr>)}
        </tbody>
      </table>
      <form class="inline-form" onSubmit={addMember}>
        <label>Email <input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} /></label>
        <label>Role
          <select value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            <option value="annotator">annotator</option><option value="reviewer">reviewer</option>
            <option value="manager">manager</option><option value="owner">owner</option>
          </select>
        </label>
        <button type="submit">Add member</button>
      </form>
      <ErrorBox error={memberError} />

      <GuidelinesSettings project={props.id} />

      <PrefilterSettings project={props.id} />
    </main>
  );
}
